import { randomBytes, randomUUID } from "node:crypto";
import pg from "pg";
import { ElicitResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AgentIdentity, authenticateAgentKey } from "@/lib/agents/keys";
import { db } from "@/lib/db/prisma";
import { closeGatewayTest, startGatewayServer } from "@/test/gateway-server";
import { governFixtureServer } from "@/test/governed-server";
import { type FixtureServer, type FixtureTool, startFixtureServer } from "@/test/mcp-fixture-server";
import { agentWithKey, grant } from "@/test/registry";
import { flushGatewayAudit } from "./audit-queue";
import { claimMs, deleteStaleCallResumptions, identityFacts, maxForwardedBytes, resumeAnywhere, resumptionsChannel, resumptionsDoneChannel } from "./call-resumptions";
import { startResolutionInvalidation } from "./invalidation";
import { instanceTag } from "./instance-tag";
import { setSuspensionTimeoutForTests, suspendedCallCount } from "./suspended-calls";

// A 2026-07-28 retry of a call waiting for input that reaches another instance than the one holding the call is
// forwarded through PostgreSQL (decision 038, amended 2026-12-01). In one process both halves can be played, as
// instanceTag() is this process's: a requestState with another tag makes this process the instance the retry
// reached (B), with the test as the holder (A); a row the test writes for a call suspended here makes this
// process the holder, with the test as B. test:cluster runs both halves across three instances.

const askTools: FixtureTool[] = ["ask_user", "ask_twice", "ask_then_work"].map((name) => ({ name, description: `Asks during the call (${name}).`, inputSchema: { type: "object", properties: {} }, annotations: { readOnlyHint: true } }));
const entry = "com.example/resumed";
const tool = (name: string) => `com.example_sresumed__${name}`;
const elicit = { method: "elicitation/create", params: { message: "Your name?", requestedSchema: { type: "object", properties: { name: { type: "string" } } } } } as const;

let fixture: FixtureServer;
let gateway: Awaited<ReturnType<typeof startGatewayServer>>;
let stopListening: () => Promise<void>;
let key: string;
let agentId: string;
let serverId: string;
let agent: AgentIdentity;
/** The test's own connection: it hears and notifies as another instance would. */
let other: pg.Client;
/** What the test heard on the resumptions channel, parsed (PostgreSQL's json_build_object spaces its output). */
const heard: unknown[] = [];

beforeAll(async () => {
  fixture = await startFixtureServer({
    tools: askTools,
    eventStream: true,
    respond: async (name, _args, call) => {
      const first = await call.sendRequest(elicit, ElicitResultSchema);
      // Works on after the answer until its caller cancels it.
      if (name === "ask_then_work") await new Promise((resolve) => call.signal.addEventListener("abort", resolve, { once: true }));
      const second = name === "ask_twice" ? await call.sendRequest({ ...elicit, params: { ...elicit.params, message: "And again?" } }, ElicitResultSchema) : undefined;
      return { content: [{ type: "text", text: [first, second].flatMap((answer) => (answer ? [`${answer.action} ${JSON.stringify(answer.content ?? {})}`] : [])).join(" | ") }] };
    },
  });
  ({ agentId, key, serverId } = await governFixtureServer(fixture.url, { name: entry }));
  agent = (await authenticateAgentKey(key))!;
  gateway = await startGatewayServer();
  stopListening = await startResolutionInvalidation();
  other = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await other.connect();
  other.on("notification", (message) => {
    try {
      heard.push(JSON.parse(message.payload ?? ""));
    } catch {
      heard.push(message.payload);
    }
  });
  await other.query(`LISTEN ${resumptionsChannel}`);
}, 60_000);

afterAll(async () => {
  await other.end();
  await stopListening();
  await closeGatewayTest(gateway, fixture);
});

type Answer = { result?: { resultType?: string; requestState?: string; inputRequests?: Record<string, { method: string }>; content?: { text: string }[] }; error?: { code: number; message: string } };

/** A raw 2026-07-28 tools/call, as the v2 client sends it. */
async function rawCall(bearer: string, name: string, extra: Record<string, unknown>, correlationId = `rs-${randomUUID()}`, args: Record<string, unknown> = {}, url = gateway.url): Promise<Answer> {
  const meta = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": { elicitation: {} }, "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" } };
  const response = await fetch(url, {
    method: "POST",
    headers: { Authorization: `Bearer ${bearer}`, "X-Correlation-Id": correlationId, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": name },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args, _meta: meta, ...extra } }),
  });
  const text = await response.text();
  return JSON.parse(text.startsWith("{") ? text : (text.split("\n").find((line) => line.startsWith("data:")) ?? "").slice(5)) as Answer;
}

const otherTag = () => (instanceTag() === "AAAAAAAA" ? "BBBBBBBB" : "AAAAAAAA");
const foreignState = () => `${otherTag()}.${randomBytes(32).toString("base64url")}`;
const accept = (name: string) => ({ backend_request: { action: "accept", content: { name } } });

/** The row a notification names, once this process (as B) has recorded a retry for `requestState`. */
async function forwardedRow(requestState: string) {
  await expect.poll(() => db().callResumption.count({ where: { requestState } }), { timeout: 5_000 }).toBe(1);
  const row = await db().callResumption.findFirstOrThrow({ where: { requestState } });
  await expect.poll(() => heard).toContainEqual({ h: otherTag(), r: row.id });
  return row;
}

/** Plays the holder: claims the row and stores its outcome, notifying completion, as ./resumption-holder.ts does. */
async function answerAsHolder(id: string, outcome: { result: unknown } | { error: object }) {
  await other.query(`UPDATE "call_resumptions" SET "claimed_at" = now() WHERE "id" = $1`, [id]);
  const [result, error] = "result" in outcome ? [JSON.stringify(outcome.result), null] : [null, JSON.stringify(outcome.error)];
  await other.query(`UPDATE "call_resumptions" SET "result" = $2, "error" = $3, "finished_at" = now() WHERE "id" = $1`, [id, result, error]);
  await other.query(`SELECT pg_notify($1, $2)`, [resumptionsDoneChannel, id]);
}

async function auditedFor(correlationId: string) {
  await flushGatewayAudit();
  return db().auditEvent.findMany({ where: { correlationId }, orderBy: { chainSeq: "asc" } });
}

describe("the instance a retry reached (B): another instance's requestState", () => {
  it("is recorded with the identity B authenticated (no credential) and notified; the client gets the holder's outcome as the holder would answer it; B audits nothing of its own", async () => {
    const outcomes: [{ result: unknown } | { error: object }, (answer: Answer) => void][] = [
      [{ result: { content: [{ type: "text", text: "from the holder" }] } }, (answer) => expect(answer.result?.content?.[0]?.text).toBe("from the holder")],
      [{ result: { resultType: "input_required", inputRequests: { backend_request: elicit }, requestState: `${otherTag()}.${"n".repeat(43)}` } }, (answer) => expect(answer.result).toMatchObject({ resultType: "input_required", inputRequests: { backend_request: elicit }, requestState: `${otherTag()}.${"n".repeat(43)}` })],
      [{ error: { code: -32602, message: "Invalid or expired requestState: no call of this agent's waits for it." } }, (answer) => expect(answer.error).toMatchObject({ code: -32602, message: "Invalid or expired requestState: no call of this agent's waits for it." })],
    ];
    for (const [outcome, check] of outcomes) {
      const requestState = foreignState();
      const correlationId = `rs-${randomUUID()}`;
      // Control characters and a NUL in the answer and the arguments are kept exactly (JSON text, not jsonb).
      const inputResponses = { backend_request: { action: "accept", content: { name: "Ada\u0000\u0007\ud800" } } };
      const answered = rawCall(key, tool("ask_user"), { requestState, inputResponses }, correlationId, { note: "tab\there\u0000" });
      const row = await forwardedRow(requestState);
      expect(row).toMatchObject({ holder: otherTag(), tool: tool("ask_user"), endpointPath: null, correlationId, claimedAt: null, finishedAt: null });
      expect(JSON.parse(row.inputResponses!)).toEqual(JSON.parse(JSON.stringify(inputResponses)));
      expect(JSON.parse(row.arguments)).toEqual({ note: "tab\there\u0000" });
      expect(row.agent).toEqual({ agentId, name: agent.name, teamId: agent.teamId, environment: "prod", keyId: agent.keyId, expiresAt: null, via: "key", scopes: [...agent.scopes], onBehalfOf: null, toolsMode: null });
      expect(JSON.stringify(row)).not.toContain(key);
      await answerAsHolder(row.id, outcome);
      check(await answered);
      // B deleted the row once it read the outcome.
      expect(await db().callResumption.count({ where: { id: row.id } })).toBe(0);
      expect(await auditedFor(correlationId)).toEqual([]);
    }
  }, 30_000);

  it("nobody claims it within claimMs (the holder is gone): refused as gone, audited, and the row removed so a late holder finds nothing", async () => {
    const requestState = foreignState();
    const correlationId = `rs-${randomUUID()}`;
    const started = performance.now();
    const answer = await rawCall(key, tool("ask_user"), { requestState, inputResponses: accept("Bo") }, correlationId);
    expect(performance.now() - started).toBeGreaterThanOrEqual(claimMs - 50);
    expect(answer.error?.code).toBe(-32602);
    expect(answer.error?.message).toMatch(/instance of the gateway holding the call waiting for this input is gone; start the call again/);
    expect(await db().callResumption.count({ where: { requestState } })).toBe(0);
    const events = await auditedFor(correlationId);
    expect(events.map((event) => [event.action, event.outcome, event.actorId])).toEqual([["gateway.tools/call", "denied", agentId]]);
    expect(events[0]!.reason).toMatch(/^requestState issued by another gateway instance, which did not take the retry/);
  }, 30_000);

  it("a holder that claims it and does not answer within the suspension timeout: refused, audited, and the holder told to cancel", async () => {
    setSuspensionTimeoutForTests(claimMs + 1_000);
    try {
      const requestState = foreignState();
      const correlationId = `rs-${randomUUID()}`;
      const answered = rawCall(key, tool("ask_user"), { requestState, inputResponses: accept("Cy") }, correlationId);
      const row = await forwardedRow(requestState);
      await other.query(`UPDATE "call_resumptions" SET "claimed_at" = now() WHERE "id" = $1`, [row.id]);
      const answer = await answered;
      expect(answer.error?.code).toBe(-32001);
      expect(answer.error?.message).toMatch(/did not answer its retry within 3 s; the call was cancelled/);
      await expect.poll(() => heard).toContainEqual({ h: otherTag(), c: row.id });
      expect(await db().callResumption.count({ where: { id: row.id } })).toBe(0);
      expect((await auditedFor(correlationId)).map((event) => event.reason)).toEqual([expect.stringMatching(/did not answer the forwarded retry in time/)]);
    } finally {
      setSuspensionTimeoutForTests(5 * 60_000);
    }
  }, 30_000);

  it("bad input is refused without a row: a foreign tag on a state of the wrong shape, a tool name with control characters, more than the body limit", async () => {
    const before = await db().callResumption.count();
    for (const requestState of [`${otherTag()}.${"z".repeat(10)}`, `${otherTag()}.${"z".repeat(42)}!`, `${otherTag()}:${"z".repeat(43)}`]) {
      expect((await rawCall(key, tool("ask_user"), { requestState, inputResponses: accept("Di") })).error?.message).toMatch(/Invalid or expired requestState/);
    }
    const correlationId = `rs-${randomUUID()}`;
    await expect(resumeAnywhere({ agent, name: "evil\u0000name", args: {}, requestState: foreignState(), inputResponses: accept("Di"), correlationId, clientSignal: undefined, endpoint: null })).rejects.toThrow(/Invalid or expired requestState/);
    const huge = { backend_request: { action: "accept", content: { name: "x".repeat(maxForwardedBytes) } } };
    await expect(resumeAnywhere({ agent, name: tool("ask_user"), args: {}, requestState: foreignState(), inputResponses: huge, correlationId, clientSignal: undefined, endpoint: null })).rejects.toMatchObject({ code: -32602, message: expect.stringMatching(/exceed 4 MB/) });
    expect(await db().callResumption.count()).toBe(before);
    expect((await auditedFor(correlationId)).map((event) => event.outcome)).toEqual(["denied", "denied"]);
  }, 30_000);
});

describe("the instance holding the call (A): a retry another instance recorded", () => {
  /** Plays B: records a retry for this instance and notifies it, as ./call-resumptions.ts does; returns the row's outcome once stored. */
  async function forward(requestState: string, options: { as?: AgentIdentity; name?: string; inputResponses?: object; holder?: string; correlationId?: string; endpointPath?: string } = {}) {
    const id = randomUUID();
    const holder = options.holder ?? instanceTag();
    await other.query(
      `INSERT INTO "call_resumptions" ("id", "holder", "request_state", "agent", "endpoint_path", "tool", "arguments", "input_responses", "correlation_id") VALUES ($1, $2, $3, $4, $5, $6, '{}', $7, $8)`,
      [id, holder, requestState, JSON.stringify(identityFacts(options.as ?? agent)), options.endpointPath ?? null, options.name ?? tool("ask_twice"), JSON.stringify(options.inputResponses ?? accept("Di")), options.correlationId ?? `rs-${randomUUID()}`],
    );
    await other.query(`SELECT pg_notify($1, $2)`, [resumptionsChannel, JSON.stringify({ h: instanceTag(), r: id })]);
    return id;
  }

  async function outcomeOf(id: string) {
    await expect.poll(async () => (await db().callResumption.findUniqueOrThrow({ where: { id } })).finishedAt, { timeout: 10_000 }).not.toBeNull();
    const row = await db().callResumption.findUniqueOrThrow({ where: { id } });
    return { result: row.result === null ? null : (JSON.parse(row.result) as Answer["result"]), error: row.error === null ? null : (JSON.parse(row.error) as { code: number; message: string }) };
  }

  it("is claimed once, resumed as if the retry had come here, and its outcome stored: the next input_required naming this instance, then the tool's result", async () => {
    const callId = `rs-${randomUUID()}`;
    const first = await rawCall(key, tool("ask_twice"), {}, callId);
    expect(first.result?.resultType).toBe("input_required");
    const id = await forward(first.result!.requestState!);
    // The same notification again (or a second instance hearing it) finds the row claimed: handled once.
    await other.query(`SELECT pg_notify($1, $2)`, [resumptionsChannel, JSON.stringify({ h: instanceTag(), r: id })]);
    const next = await outcomeOf(id);
    expect(next.error).toBeNull();
    expect(next.result).toMatchObject({ resultType: "input_required", inputRequests: { backend_request: { method: "elicitation/create", params: { message: "And again?" } } } });
    expect(next.result!.requestState).toMatch(new RegExp(`^${instanceTag()}\\.[\\w-]{43}$`));
    const last = await outcomeOf(await forward(next.result!.requestState!, { inputResponses: accept("Eve") }));
    expect(last.result?.content?.[0]?.text).toBe('accept {"name":"Di"} | accept {"name":"Eve"}');
    expect(suspendedCallCount()).toBe(0);
    // The call's events are audited here, as for retries that reach this instance: each relay and the call, once.
    const events = (await auditedFor(callId)).map((event) => `${event.action} ${event.outcome}`).sort();
    expect(events).toEqual(["gateway.elicitation/create success", "gateway.elicitation/create success", "gateway.tools/call success"]);
  }, 30_000);

  it("a retry addressed to an entry's endpoint is resumed at that endpoint, whose view names the tool without its prefix", async () => {
    const endpointPath = `/mcp/servers/${encodeURIComponent(entry)}`;
    const first = await rawCall(key, "ask_user", {}, undefined, {}, `${gateway.origin}${endpointPath}`);
    expect(first.result?.resultType).toBe("input_required");
    // Through /mcp the tool has another name: the suspension's name does not match.
    expect((await outcomeOf(await forward(first.result!.requestState!, { name: tool("ask_user") }))).error?.message).toMatch(/^Invalid or expired requestState/);
    const resumed = await outcomeOf(await forward(first.result!.requestState!, { name: "ask_user", endpointPath, inputResponses: accept("Hal") }));
    expect(resumed.result?.content?.[0]?.text).toBe('accept {"name":"Hal"}');
  }, 30_000);

  it("B giving up on a claimed retry cancels the call here, as a client closing its request would", async () => {
    const first = await rawCall(key, tool("ask_then_work"), {});
    const id = await forward(first.result!.requestState!, { name: tool("ask_then_work") });
    await expect.poll(async () => (await db().callResumption.findUniqueOrThrow({ where: { id } })).claimedAt).not.toBeNull();
    // A notification for another holder's row of the same id does nothing: only this instance's tag counts.
    await other.query(`SELECT pg_notify($1, $2)`, [resumptionsChannel, JSON.stringify({ h: otherTag(), c: id })]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fixture.cancelled.filter((call) => call.name === "ask_then_work")).toHaveLength(0);
    await other.query(`SELECT pg_notify($1, $2)`, [resumptionsChannel, JSON.stringify({ h: instanceTag(), c: id })]);
    await expect.poll(() => fixture.cancelled.filter((call) => call.name === "ask_then_work"), { timeout: 5_000 }).toHaveLength(1);
    expect((await outcomeOf(id)).error?.message).toMatch(/cancelled/);
  }, 30_000);

  it("another agent's retry is refused as resumeCall refuses it, audited here; the suspension stays for its own agent", async () => {
    const first = await rawCall(key, tool("ask_user"), {});
    const thief = await agentWithKey("prod");
    await grant(thief.agentId, serverId);
    const correlationId = `rs-${randomUUID()}`;
    const stolen = await outcomeOf(await forward(first.result!.requestState!, { as: (await authenticateAgentKey(thief.key))!, name: tool("ask_user"), correlationId }));
    expect(stolen).toEqual({ result: null, error: { code: -32602, message: "Invalid or expired requestState: no call of this agent's waits for it." } });
    expect((await auditedFor(correlationId)).map((event) => [event.actorId, event.outcome])).toEqual([[thief.agentId, "denied"]]);
    // An unknown state is refused the same way.
    expect((await outcomeOf(await forward(`${instanceTag()}.${"q".repeat(43)}`))).error?.message).toMatch(/^Invalid or expired requestState/);
    const resumed = await outcomeOf(await forward(first.result!.requestState!, { name: tool("ask_user"), inputResponses: accept("Fay") }));
    expect(resumed.result?.content?.[0]?.text).toBe('accept {"name":"Fay"}');
  }, 30_000);

  it("a notification is ignored unless its row exists, is unclaimed and names this instance: forged ids, another holder's row, a claimed row, malformed payloads", async () => {
    const notify = (payload: string) => other.query(`SELECT pg_notify($1, $2)`, [resumptionsChannel, payload]);
    await notify(JSON.stringify({ h: instanceTag(), r: randomUUID() }));
    await notify("not json");
    await notify(JSON.stringify({ h: instanceTag(), r: "1; DROP TABLE call_resumptions" }));
    const first = await rawCall(key, tool("ask_user"), {});
    const requestState = first.result!.requestState!;
    // A row naming another holder, notified to this one: not claimed.
    const elsewhere = await forward(requestState, { holder: otherTag(), name: tool("ask_user") });
    // A row already claimed (by a first notification elsewhere): not handled again.
    const claimedId = randomUUID();
    await other.query(
      `INSERT INTO "call_resumptions" ("id", "holder", "request_state", "agent", "tool", "arguments", "correlation_id", "claimed_at") VALUES ($1, $2, $3, $4, $5, '{}', 'x', now())`,
      [claimedId, instanceTag(), requestState, JSON.stringify(identityFacts(agent)), tool("ask_user")],
    );
    await notify(JSON.stringify({ h: instanceTag(), r: claimedId }));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await db().callResumption.findUniqueOrThrow({ where: { id: elsewhere } })).toMatchObject({ claimedAt: null, finishedAt: null });
    expect(await db().callResumption.findUniqueOrThrow({ where: { id: claimedId } })).toMatchObject({ finishedAt: null });
    // The suspension was not touched by any of them.
    const resumed = await rawCall(key, tool("ask_user"), { requestState, inputResponses: accept("Gus") });
    expect(resumed.result?.content?.[0]?.text).toBe('accept {"name":"Gus"}');
    await db().callResumption.deleteMany({ where: { id: { in: [elsewhere, claimedId] } } });
  }, 30_000);
});

describe("call-resumption-cleanup", () => {
  it("deletes rows older than the suspension timeout and a margin, and no others", async () => {
    const old = randomUUID();
    const recent = randomUUID();
    for (const [id, age] of [[old, "7 minutes"], [recent, "1 minute"]] as const) {
      await other.query(
        `INSERT INTO "call_resumptions" ("id", "holder", "request_state", "agent", "tool", "arguments", "correlation_id", "created_at") VALUES ($1, 'ZZZZZZZZ', 's', '{}', 't', '{}', 'x', now() - $2::interval)`,
        [id, age],
      );
    }
    expect(await deleteStaleCallResumptions()).toBe(1);
    expect((await db().callResumption.findMany({ where: { id: { in: [old, recent] } }, select: { id: true } })).map((row) => row.id)).toEqual([recent]);
    await db().callResumption.deleteMany({ where: { id: recent } });
  });
});
