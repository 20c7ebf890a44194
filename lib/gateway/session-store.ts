import { InitializeRequestSchema, LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from "@modelcontextprotocol/sdk/types.js";
import { db } from "@/lib/db/prisma";
import { cutoff } from "@/lib/runtime/cutoff";
import type { LoggingLevel } from "./call-relay";

// 2025-era sessions in PostgreSQL (table gateway_sessions; decision 038), so any instance can serve a
// session another opened: the facts re-creating it needs (the initialize it was opened with, the log level
// it set) and what binds it to its credential (agent, user, endpoint). No credential is stored. A deleted row
// is named on the channel `toolgate_sessions` (a trigger), and every instance drops its copy.

/** The channel a deleted session's id is notified on (migration 20261202100000_gateway_sessions). */
export const sessionsChannel = "toolgate_sessions";
/** A session not used for this long is deleted (its row by deleteIdleGatewaySessions, a memory copy by the sweep). */
export const sessionIdleMs = 30 * 60 * 1000;
/** last_used_at is written at most this often per session. */
export const touchEveryMs = 60_000;
/** The most of a client's capabilities and info stored with its session, serialised. */
export const maxClientFactsBytes = 16 * 1024;

// The ids the gateway hands out (randomUUID): anything else is no session, and is not looked up.
const sessionIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isSessionId(value: string): boolean {
  return value.length === 36 && sessionIdPattern.test(value);
}

/** What an initialize said that re-creating the session needs. */
export interface SessionOpening {
  protocolVersion: string;
  capabilities: Record<string, unknown>;
  clientInfo: Record<string, unknown>;
}

export interface StoredSession extends SessionOpening {
  id: string;
  agentId: string;
  user: string | null;
  endpointPath: string | null;
  logLevel: LoggingLevel | null;
}

/**
 * The facts of an initialize request as the SDK server accepts it, with the version it negotiates; or a
 * refusal for one it would not accept, or that could not be stored (oversized, or a NUL PostgreSQL's jsonb refuses).
 */
export function sessionOpeningOf(body: unknown): SessionOpening | { refusal: string } {
  const parsed = InitializeRequestSchema.safeParse(body);
  if (!parsed.success) return { refusal: "Invalid params: initialize needs protocolVersion, capabilities and clientInfo (name, version)." };
  const params = (body as { params: { protocolVersion: string; capabilities: Record<string, unknown>; clientInfo: Record<string, unknown> } }).params;
  const facts = JSON.stringify([params.capabilities, params.clientInfo]);
  if (Buffer.byteLength(facts) > maxClientFactsBytes) return { refusal: `Invalid params: initialize's capabilities and clientInfo exceed ${maxClientFactsBytes / 1024} KB.` };
  if (facts.includes("\\u0000")) return { refusal: "Invalid params: initialize's capabilities and clientInfo may not contain NUL characters." };
  // As the SDK server negotiates it, so feeding it again negotiates the same.
  const protocolVersion = SUPPORTED_PROTOCOL_VERSIONS.includes(params.protocolVersion) ? params.protocolVersion : LATEST_PROTOCOL_VERSION;
  return { protocolVersion, capabilities: params.capabilities, clientInfo: params.clientInfo };
}

export async function storeGatewaySession(session: Omit<StoredSession, "logLevel">): Promise<void> {
  await db().gatewaySession.create({
    data: {
      id: session.id,
      agentId: session.agentId,
      userKey: session.user,
      endpointPath: session.endpointPath,
      protocolVersion: session.protocolVersion,
      clientCapabilities: session.capabilities as object,
      clientInfo: session.clientInfo as object,
    },
  });
}

/** The stored session with this id (one query), or null. */
export async function findGatewaySession(id: string): Promise<StoredSession | null> {
  const row = await db().gatewaySession.findUnique({ where: { id } });
  if (!row) return null;
  return {
    id: row.id,
    agentId: row.agentId,
    user: row.userKey,
    endpointPath: row.endpointPath,
    protocolVersion: row.protocolVersion,
    capabilities: row.clientCapabilities as Record<string, unknown>,
    clientInfo: row.clientInfo as Record<string, unknown>,
    logLevel: row.logLevel as LoggingLevel | null,
  };
}

/** Whether the session's row is still there. */
export async function gatewaySessionExists(id: string): Promise<boolean> {
  return (await db().gatewaySession.count({ where: { id } })) > 0;
}

/** Marks the session used now, without making anyone wait: a failure is only logged. */
export function touchGatewaySession(id: string): void {
  db()
    .gatewaySession.updateMany({ where: { id }, data: { lastUsedAt: new Date() } })
    .catch((error: unknown) => console.error("[toolgate] marking a gateway session used failed:", error instanceof Error ? error.message : error));
}

export async function storeGatewaySessionLevel(id: string, level: LoggingLevel): Promise<void> {
  await db().gatewaySession.updateMany({ where: { id }, data: { logLevel: level } });
}

/** Deletes the session; every instance is told (the trigger's NOTIFY) and drops its copy. */
export async function deleteGatewaySession(id: string): Promise<void> {
  await db().gatewaySession.deleteMany({ where: { id } });
}

/** Deletes the sessions nobody used for 30 minutes (a periodic job, once per cluster); returns how many. */
export async function deleteIdleGatewaySessions(now: Date | number = Date.now()): Promise<number> {
  const before = cutoff(now, sessionIdleMs);
  return (await db().gatewaySession.deleteMany({ where: { lastUsedAt: { lt: before } } })).count;
}
