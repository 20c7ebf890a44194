import { createHash, randomBytes } from "node:crypto";
import { db } from "@/lib/db/prisma";
import type { Environment, VersionStatus } from "@/lib/generated/prisma/client";
import { makeServer, makeTeam, type VersionSpec } from "./factories";

// Fixtures for the registry API tests: agents and keys made directly in the database (the key format
// of lib/agents/keys.ts, the SHA-256 stored), certified and pinned versions, the anonymous-read policy.

const base32 = "abcdefghijklmnopqrstuvwxyz234567";

/** A namespace no other test uses, so `search` scopes a listing to one test's servers. */
export function namespace(): string {
  return `io.t${randomBytes(4).toString("hex")}`;
}

export async function agentWithKey(
  environment: Environment,
  options: { expiresAt?: Date; revokedAt?: Date; disabled?: boolean } = {},
): Promise<{ agentId: string; key: string; keyId: string }> {
  const team = await makeTeam();
  const agent = await db().agent.create({
    data: { name: `agent-${randomBytes(4).toString("hex")}`, teamId: team.id, environment, disabled: options.disabled ?? false },
  });
  const prefix = [...randomBytes(8)].map((byte) => base32[byte & 31]).join("");
  const key = `tgk_${prefix}_${randomBytes(32).toString("base64url")}`;
  const row = await db().apiKey.create({
    data: {
      agentId: agent.id,
      prefix,
      keyHash: createHash("sha256").update(key).digest("hex"),
      expiresAt: options.expiresAt ?? null,
      revokedAt: options.revokedAt ?? null,
    },
  });
  return { agentId: agent.id, key, keyId: row.id };
}

export async function grant(agentId: string, serverId: string, status: "pending" | "active" | "denied" | "revoked" = "active", expiresAt: Date | null = null) {
  return db().grant.create({ data: { agentId, serverId, status, expiresAt } });
}

type RegistryVersion = { version: string; status: VersionStatus; certifiedAt?: Date; approvalTools?: string[]; sunsetAt?: Date; tools?: VersionSpec["tools"] };

/**
 * A server with versions in the given statuses, created in the order given: full rows, or where only
 * the status matters a map from version to status. Certified and deprecated ones get a certification
 * date, and `pins` promotes versions (by version string) to environments.
 */
export async function registryServer(
  name: string,
  versionsOrStatuses: RegistryVersion[] | Readonly<Record<string, VersionStatus>>,
  pins: Partial<Record<Environment, string>> = {},
) {
  const versions = Array.isArray(versionsOrStatuses)
    ? versionsOrStatuses
    : Object.entries(versionsOrStatuses).map(([version, status]): RegistryVersion => ({ version, status }));
  const server = await makeServer({ name, versions: versions.map(({ version, status, tools }) => ({ version, status, tools })) });
  // The certification is written once, as certifying does: the database refuses to change it afterwards.
  for (const [index, id] of server.versionIds.entries()) {
    const spec = versions[index]!;
    if (spec.status === "certified" || spec.status === "deprecated") {
      await db().serverVersion.update({
        where: { id },
        data: { certifiedAt: spec.certifiedAt ?? new Date(), approvalTools: spec.approvalTools ?? [], sunsetAt: spec.sunsetAt ?? null },
      });
    }
  }
  for (const [environment, version] of Object.entries(pins)) {
    const versionId = server.versionIds[versions.findIndex((v) => v.version === version)]!;
    await db().pin.upsert({
      where: { serverId_environment: { serverId: server.id, environment: environment as Environment } },
      create: { serverId: server.id, environment: environment as Environment, versionId },
      update: { versionId, pinnedAt: new Date() },
    });
  }
  return server;
}

export async function setAnonymousRead(on: boolean) {
  await db().setting.upsert({ where: { key: "registry.anonymousRead" }, create: { key: "registry.anonymousRead", value: on }, update: { value: on } });
}

type Handler<P> = (request: Request, context: { params: Promise<P> }) => Promise<Response>;

/**
 * Calls a route handler as Next.js would: the URL as sent (names URL-encoded), `params` decoded once
 * from the path's dynamic segments.
 */
export async function call<P extends Record<string, string | string[]>>(
  handler: Handler<P>,
  url: string,
  options: { key?: string; authorization?: string; params?: P; method?: string } = {},
) {
  const headers: Record<string, string> = {};
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  if (options.authorization) headers.authorization = options.authorization;
  const response = await handler(new Request(`http://localhost${url}`, { method: options.method ?? "GET", headers }), {
    params: Promise.resolve(options.params ?? ({} as P)),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as unknown) : null };
}

export function expectCors(headers: Headers) {
  return {
    origin: headers.get("access-control-allow-origin"),
    methods: headers.get("access-control-allow-methods"),
    allowHeaders: headers.get("access-control-allow-headers"),
  };
}

export const corsExpected = { origin: "*", methods: "GET, OPTIONS", allowHeaders: "Authorization, Content-Type" };
