import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { personActor, recordAudit } from "@/lib/audit/record";
import { guard } from "@/lib/auth/guard";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { isUniqueViolation } from "@/lib/db/unique-violation";
import { ConflictError } from "@/lib/errors";
import { safeName } from "@/lib/text/unsafe-text";
import { parseInput } from "@/lib/validation";
import { managedAgent, managedPart } from "./managed";
import { futureExpiry, reasonSchema } from "./schemas";
import { type Scope, scopes } from "./scopes";

// API keys: `tgk_<prefix>_<secret>`, where the prefix (8 base32 characters) tells keys apart on
// screens and in logs and the secret is 32 random bytes. Only a SHA-256 of the whole key is stored:
// the key is random, so a slow password hash would add nothing but latency (docs/decisions/006).

const keyPattern = /^tgk_([a-z2-7]{8})_([A-Za-z0-9_-]{43})$/;
const base32 = "abcdefghijklmnopqrstuvwxyz234567";
const minute = 60 * 1000;

const createKeyInput = z.object({
  agentId: z.uuid({ error: "Unknown agent." }),
  label: z.preprocess((value) => value ?? "", z.string({ error: "The label must be text." }).trim().max(100, "The label must be at most 100 characters.").pipe(safeName("The label"))),
  expiresAt: futureExpiry("The expiry", 366),
});

const revokeKeyInput = z.object({ keyId: z.uuid({ error: "Unknown key." }), reason: reasonSchema });

/** The user an agent acts for, from a delegated access token (RFC 8693 token exchange, lib/identity/on-behalf-of.ts). */
export interface OnBehalfOf {
  /** The issuer that vouched for the user, and the user's `sub` there. */
  issuer: string;
  subject: string;
  /** From the token's name, email or preferred_username claim: one clean line, cut short; null without one. */
  name: string | null;
}

export interface AgentIdentity {
  agentId: string;
  name: string;
  teamId: string;
  environment: "dev" | "staging" | "prod";
  /** The API key's id, or for an access token the id of the binding that made it this agent. */
  keyId: string;
  /** When the key or token stops working, if ever. */
  expiresAt: Date | null;
  /** How the agent proved who it is: an API key, or an access token from a trusted issuer (lib/identity). */
  via: "key" | "token";
  /** What it may do (./scopes.ts): all of them with a key, what the token grants with a token. */
  scopes: readonly Scope[];
  /** With a delegated access token, the user the agent acts for; absent with a key or the agent's own token. */
  onBehalfOf?: OnBehalfOf | null;
  /** What this request's `?tools=` asked tools/list to show, overriding the agent's own setting (lib/gateway/discovery-tools.ts). */
  toolsMode?: "all" | "search";
}

export function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

function newPrefix(): string {
  return [...randomBytes(8)].map((byte) => base32[byte & 31]).join("");
}

/** Creates a key for the agent; the returned `key` is the only time anyone sees it. */
export async function createApiKey(actor: Actor, input: unknown): Promise<{ key: string; prefix: string; id: string }> {
  await guard(actor, "agents.manage", { type: "agent" });
  const data = parseInput(createKeyInput, input);
  const agent = await managedAgent(actor, data.agentId);
  // A prefix collision is unlikely (40 bits) but would fail the unique index; try again with another.
  for (let attempt = 1; ; attempt++) {
    const prefix = newPrefix();
    const key = `tgk_${prefix}_${randomBytes(32).toString("base64url")}`;
    try {
      const created = await db().$transaction(async (tx) => {
        const row = await tx.apiKey.create({
          data: { agentId: agent.id, prefix, keyHash: hashKey(key), label: data.label, expiresAt: data.expiresAt ?? null, createdById: actor.id },
          select: { id: true },
        });
        await recordAudit(tx, {
          actor: personActor(actor),
          action: "agent.key.create",
          target: { type: "agent", id: agent.id },
          outcome: "success",
          details: { keyId: row.id, prefix, label: data.label, expiresAt: data.expiresAt?.toISOString() ?? null },
        });
        return row;
      });
      return { key, prefix, id: created.id };
    } catch (error) {
      const collision = isUniqueViolation(error);
      if (!collision || attempt >= 3) throw error;
    }
  }
}

/** Revokes a key at once; the reason goes to the audit trail. */
export async function revokeApiKey(actor: Actor, input: unknown) {
  await guard(actor, "agents.manage", { type: "agent" });
  const { keyId, reason } = parseInput(revokeKeyInput, input);
  const key = await managedPart(
    actor,
    await db().apiKey.findUnique({ where: { id: keyId }, select: { id: true, prefix: true, revokedAt: true, agent: { select: { id: true, teamId: true } } } }),
    "That key does not exist.",
  );
  if (key.revokedAt) throw new ConflictError(`Key ${key.prefix} is already revoked.`);
  return db().$transaction(async (tx) => {
    const revoked = await tx.apiKey.updateMany({ where: { id: key.id, revokedAt: null }, data: { revokedAt: new Date() } });
    if (revoked.count !== 1) throw new ConflictError(`Key ${key.prefix} was revoked meanwhile.`);
    await recordAudit(tx, {
      actor: personActor(actor),
      action: "agent.key.revoke",
      target: { type: "agent", id: key.agent.id },
      outcome: "success",
      reason,
      details: { keyId: key.id, prefix: key.prefix },
    });
    return { id: key.id, prefix: key.prefix };
  });
}

/** The token of an `Authorization: Bearer …` header, or null when there is none. */
export function bearerToken(header: string | null): string | null {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? "");
  return match ? match[1]! : null;
}

/**
 * The agent a key belongs to, or null for a malformed, unknown, revoked or expired key or a disabled
 * agent. On the hot path: one lookup by hash; the last-used time is written at most once a minute per
 * key and never delays the answer.
 */
export async function authenticateAgentKey(token: string): Promise<AgentIdentity | null> {
  if (!keyPattern.test(token)) return null;
  const key = await db().apiKey.findUnique({
    where: { keyHash: hashKey(token) },
    select: { id: true, expiresAt: true, revokedAt: true, lastUsedAt: true, agent: { select: { id: true, name: true, teamId: true, environment: true, disabled: true } } },
  });
  const now = new Date();
  if (!key || key.revokedAt || (key.expiresAt && key.expiresAt <= now) || key.agent.disabled) return null;
  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() >= minute) void touchKey(key.id, now);
  const { agent } = key;
  return { agentId: agent.id, name: agent.name, teamId: agent.teamId, environment: agent.environment, keyId: key.id, expiresAt: key.expiresAt, via: "key", scopes };
}

// The condition makes concurrent requests (and instances) write once; a failure only loses a timestamp.
async function touchKey(keyId: string, now: Date): Promise<void> {
  await db()
    .apiKey.updateMany({ where: { id: keyId, OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: new Date(now.getTime() - minute) } }] }, data: { lastUsedAt: now } })
    .catch(() => undefined);
}
