// Minted backend credentials (decision 027): for a server whose owner chose `minted`, every request the
// gateway sends upstream carries a short-lived JWT Toolgate signs itself, instead of a stored secret.
// The backend verifies it against Toolgate's published keys (/.well-known/jwks.json) and learns which
// agent calls, for whom, which tool and with which arguments. The client's own token never goes upstream.
import { randomUUID } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { SignJWT } from "jose";
import { env } from "@/lib/config/env";
import { activeSigningKey } from "@/lib/signing/keys";

/** Who the gateway speaks for upstream: the agent, and the person it acts for when its identity names one. */
export interface UpstreamIdentity {
  agentId: string;
  name: string;
  /** Set by the identity layer when an access token carries a user (coded against as optional). */
  onBehalfOf?: { subject: string } | null;
}

export interface MintRequest {
  /** The backend's endpoint URL: the token's audience. */
  audience: string;
  /** Undefined for the gateway's own session (its drift re-check). */
  agent?: UpstreamIdentity;
  /** The tool name for a tools/call; `toolgate:session` for what keeps the session (initialize, listing, stream). */
  scope: string;
  /** Hex SHA-256 of the arguments' RFC 8785 canonical JSON (the audit's arguments hash); tools/call only. */
  argumentsHash?: string;
}

export type TokenMinter = (request: MintRequest) => Promise<string>;

/** The scope of the requests that keep a session rather than call a tool. */
export const sessionScope = "toolgate:session";
/** The subject of the gateway's own session, which serves no agent. */
export const gatewaySubject = "toolgate:gateway";
/** Long enough to cross the network; a token is minted per request, never reused. */
export const upstreamTokenSeconds = 60;
// The key is read from the database (or the environment) once, then kept: minting is on the hot path.
const keyReloadMs = 5 * 60 * 1000;

let cached: { key: Promise<{ id: string; privateKey: KeyObject }>; loadedAt: number } | undefined;

function signingKey(): Promise<{ id: string; privateKey: KeyObject }> {
  const now = Date.now();
  if (!cached || now - cached.loadedAt >= keyReloadMs) {
    const key = activeSigningKey();
    cached = { key, loadedAt: now };
    // A failed load is not kept: the next call tries again.
    key.catch(() => {
      if (cached?.key === key) cached = undefined;
    });
  }
  return cached.key;
}

/**
 * What a person's import (registration, a new version) sends to list a server's tools: for a minted
 * server a token of the gateway's own (no agent), else the stored credential header.
 */
export async function introspectionHeaders(
  upstreamAuth: "static" | "minted",
  endpointUrl: string,
  credential: Record<string, string> | undefined,
): Promise<Record<string, string> | undefined> {
  if (upstreamAuth !== "minted") return credential;
  return { authorization: `Bearer ${await mintUpstreamToken({ audience: endpointUrl, scope: sessionScope })}` };
}

/** Toolgate's public base URL (NEXTAUTH_URL), the tokens' issuer; minting refuses without it. */
export function upstreamIssuer(): string {
  const base = env("NEXTAUTH_URL");
  if (!base) throw new Error("Minted backend credentials need NEXTAUTH_URL, Toolgate's public URL, as their issuer.");
  return new URL(base).origin;
}

export const mintUpstreamToken: TokenMinter = async ({ audience, agent, scope, argumentsHash }) => {
  const { id, privateKey } = await signingKey();
  const claims: Record<string, unknown> = { scope };
  if (agent) claims.toolgate_agent_name = agent.name;
  if (agent?.onBehalfOf) claims.act = { sub: agent.onBehalfOf.subject };
  if (argumentsHash !== undefined) claims.toolgate_args_sha256 = argumentsHash;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "EdDSA", kid: id, typ: "JWT" })
    .setIssuer(upstreamIssuer())
    .setAudience(audience)
    .setSubject(agent?.agentId ?? gatewaySubject)
    .setIssuedAt(now)
    .setExpirationTime(now + upstreamTokenSeconds)
    .setJti(randomUUID())
    .sign(privateKey);
};
