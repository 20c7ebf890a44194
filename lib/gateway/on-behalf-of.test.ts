import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PendingToolCalls } from "@/components/approvals/tool-call-inbox";
import { db } from "@/lib/db/prisma";
import { bindTokenSubject } from "@/lib/identity/bindings";
import { registerIssuer } from "@/lib/identity/issuers";
import { forgetIssuerKeys } from "@/lib/identity/jwks";
import { applyOutboundAllow, loopbackRanges } from "@/lib/net/outbound";
import { decideToolCall } from "@/lib/tool-approvals/decisions";
import { pendingToolCallRequests, toolCallRequestHistory } from "@/lib/tool-approvals/inbox";
import { allScopes, type AuthorizationServer, startAuthorizationServer, type TestClient } from "@/test/authorization-server";
import { makeUser } from "@/test/factories";
import { connectLegacy, connectModern } from "@/test/gateway-clients";
import { closeGatewayTest, startGatewayServer } from "@/test/gateway-server";
import { governFixtureServer } from "@/test/governed-server";
import { defaultFixtureTools, type FixtureServer, startFixtureServer } from "@/test/mcp-fixture-server";
import { agentWithKey } from "@/test/registry";
import { flushGatewayAudit } from "./audit-queue";
import { flushEdgeRefusals } from "./edge-refusals";
import { forgetLegacySessionsForTests, holdsLegacySession } from "./legacy";

// An agent acting for a user (issue #17, phase 2): it exchanges the user's token at the IdP (RFC 8693,
// test/authorization-server.ts) for an access token whose sub is the user and act.sub the agent's
// client. The gateway serves the agent (bound by its client_id, never by the user's sub) and records
// "user X via agent Y": audit rows, approval requests, and 2025-era sessions bound to both.

const agentClient: TestClient = { clientId: "assistant-app", secret: "assistant-app-secret-0123456789", scope: allScopes };
const unboundClient: TestClient = { clientId: "unbound-app", secret: "unbound-app-secret-0123456789", scope: allScopes };
const ada = { sub: "user-ada", name: "Ada Lovelace", email: "ada@example.com" };
const bob = { sub: "user-bob", preferred_username: "bob" };

let fixture: FixtureServer;
let gateway: Awaited<ReturnType<typeof startGatewayServer>>;
let idp: AuthorizationServer;
let agentId: string;
let agentName: string;
let approver: Awaited<ReturnType<typeof makeUser>>;
const tool = (name: string) => `com.example_sdelegated__${name}`;

beforeAll(async () => {
  applyOutboundAllow(loopbackRanges);
  forgetIssuerKeys();
  fixture = await startFixtureServer({ tools: defaultFixtureTools });
  ({ agentId } = await governFixtureServer(fixture.url, { name: "com.example/delegated", riskTier: "low", approvalTools: ["delete_record"] }));
  ({ name: agentName } = await db().agent.findUniqueOrThrow({ where: { id: agentId }, select: { name: true } }));
  await db().setting.upsert({ where: { key: "approvals.waitSeconds" }, create: { key: "approvals.waitSeconds", value: 1 }, update: { value: 1 } });
  approver = await makeUser(["approver"]);
  gateway = await startGatewayServer();
  idp = await startAuthorizationServer({ audience: `${gateway.origin}/mcp`, clients: [agentClient, unboundClient] });
  const admin = await makeUser(["admin"]);
  const issuer = await registerIssuer(admin, { issuer: idp.issuer, displayName: "Test IdP" });
  await bindTokenSubject(admin, { agentId, issuerId: issuer.id, kind: "client_id", subject: agentClient.clientId });
  // Ada's sub is bound to another agent (as a service account would be): her delegated tokens must still
  // act as the agent whose client got them, never as the one her sub names.
  const other = await agentWithKey("prod");
  await bindTokenSubject(admin, { agentId: other.agentId, issuerId: issuer.id, kind: "sub", subject: ada.sub });
}, 60_000);

afterAll(async () => {
  await closeGatewayTest(gateway, fixture);
  await idp.close();
});

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const exchanged = (user: object, client = agentClient) => idp.exchange(client, idp.userToken(user as typeof ada));
const rpc = (method: string, params: object = {}) => JSON.stringify({ jsonrpc: "2.0", id: 1, method, params });
const post = (body: string, headers: Record<string, string>) =>
  fetch(gateway.url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers }, body });

describe.each([
  ["2025-11-25", connectLegacy],
  ["2026-07-28", connectModern],
] as const)("an exchanged token (%s)", (era, connect) => {
  it("lists and calls as the agent its client is bound to, and the audit row names the user and the agent", async () => {
    const client = await connect(gateway.url, { ...bearer(await exchanged(ada)), "x-correlation-id": `obo-${era}` });
    expect((await client.listTools()).tools.map((listed) => listed.name)).toContain(tool("read_record"));
    expect((await client.callTool({ name: tool("read_record"), arguments: { id: "r-1" } })).isError ?? false).toBe(false);
    await client.close();
    await flushGatewayAudit();
    const event = await db().auditEvent.findFirstOrThrow({ where: { action: "gateway.tools/call", details: { path: ["userSubject"], equals: ada.sub } }, orderBy: { id: "desc" } });
    expect(event.actorId).toBe(agentId);
    expect(event.actorLabel).toBe(`agent:${agentName}`);
    expect(event.details).toMatchObject({ onBehalfOf: "Ada Lovelace", userSubject: ada.sub, userIssuer: idp.issuer, caller: `user Ada Lovelace via agent ${agentName}`, decision: "allowed" });
  });
});

describe("refusals of a user's call", () => {
  it("a call beyond the exchanged token's scopes is refused and audited as user X via agent Y", async () => {
    const token = await idp.exchange(agentClient, idp.userToken(ada), { scope: "tools:read" });
    const refused = await post(rpc("tools/call", { name: tool("read_record"), arguments: { id: "r-1" } }), { ...bearer(token), "x-correlation-id": "obo-scope-1" });
    expect(refused.status).toBe(403);
    await flushGatewayAudit();
    const event = await db().auditEvent.findFirstOrThrow({ where: { correlationId: "obo-scope-1" } });
    expect(event).toMatchObject({ outcome: "denied", actorId: agentId });
    expect(event.details).toMatchObject({ caller: `user Ada Lovelace via agent ${agentName}`, missingScopes: "tools:call" });
  });
});

describe("approvals for a user's call", () => {
  it("the request stores and shows the user and the agent, and is bound to that user", async () => {
    const adaClient = await connectLegacy(gateway.url, bearer(await exchanged(ada)));
    const waiting = await adaClient.callTool({ name: tool("delete_record"), arguments: { id: "ada-1" } });
    expect(JSON.stringify(waiting)).toMatch(/approval/i);
    const request = await db().toolCallApproval.findFirstOrThrow({ where: { agentId, arguments: { path: ["id"], equals: "ada-1" } } });
    expect(request).toMatchObject({ userSubject: ada.sub, userIssuer: idp.issuer, userName: "Ada Lovelace", status: "pending" });
    const inbox = await pendingToolCallRequests();
    const shown = inbox.find((listed) => listed.id === request.id)!;
    expect(shown).toMatchObject({ userSubject: ada.sub, userName: "Ada Lovelace", agent: { name: agentName } });
    // The inbox as approvers see it (the page renders this component with these rows).
    const page = renderToStaticMarkup(createElement(PendingToolCalls, { requests: [shown], viewerId: approver.id, ownedServerIds: new Set<string>(), wait: { validMinutes: 10, renderedAt: new Date().toISOString() } }));
    expect(page).toContain(`user Ada Lovelace via agent ${agentName} (prod)`);
    expect(page).toContain(">Caller<");
    const raised = await db().auditEvent.findFirstOrThrow({ where: { action: "toolcall.approval_request", targetId: request.id } });
    expect(raised.details).toMatchObject({ onBehalfOf: "Ada Lovelace", userSubject: ada.sub });
    await decideToolCall(approver, { requestId: request.id, decision: "approve" });
    const decided = await db().auditEvent.findFirstOrThrow({ where: { action: "toolcall.approve", targetId: request.id } });
    expect(decided.details).toMatchObject({ agent: agentName, onBehalfOf: "Ada Lovelace", userSubject: ada.sub });
    // Bob's identical call through the same agent does not use Ada's approval: it opens a request of its own.
    const bobClient = await connectLegacy(gateway.url, bearer(await exchanged(bob)));
    await bobClient.callTool({ name: tool("delete_record"), arguments: { id: "ada-1" } });
    const bobs = await db().toolCallApproval.findFirstOrThrow({ where: { agentId, userSubject: bob.sub } });
    expect(bobs).toMatchObject({ status: "pending", userName: "bob" });
    expect((await db().toolCallApproval.findUniqueOrThrow({ where: { id: request.id } })).status).toBe("approved");
    // Ada's repeat uses hers.
    expect((await adaClient.callTool({ name: tool("delete_record"), arguments: { id: "ada-1" } })).isError ?? false).toBe(false);
    expect((await db().toolCallApproval.findUniqueOrThrow({ where: { id: request.id } })).status).toBe("used");
    // The history's agent filter finds it by the user's name, or by the agent's.
    expect((await toolCallRequestHistory({ agent: "lovelace" })).map((shown) => shown.id)).toEqual([request.id]);
    expect((await toolCallRequestHistory({ agent: agentName })).map((shown) => shown.id)).toContain(request.id);
    await adaClient.close();
    await bobClient.close();
  }, 30_000);
});

describe("2025-era sessions bound to the user (A4)", () => {
  const initialize = rpc("initialize", { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "replay", version: "1.0.0" } });
  const inSession = (sessionId: string, token: string) => post(rpc("tools/list"), { ...bearer(token), "mcp-session-id": sessionId, "mcp-protocol-version": "2025-06-18" });

  it("a session opened for Ada is refused with Bob's token of the same agent, and the refusal is audited", async () => {
    const adaToken = await exchanged(ada);
    const opened = await post(initialize, bearer(adaToken));
    expect(opened.status).toBe(200);
    const sessionId = opened.headers.get("mcp-session-id")!;
    await opened.text();
    expect((await inSession(sessionId, adaToken)).status).toBe(200);
    const replayed = await inSession(sessionId, await exchanged(bob));
    expect(replayed.status).toBe(404);
    // Nor with the agent's own token (no user): the session was Ada's.
    expect((await inSession(sessionId, await idp.token(agentClient))).status).toBe(404);
    // Ada's own token still works: the session was not closed by the attempt.
    expect((await inSession(sessionId, await exchanged(ada))).status).toBe(200);
    flushEdgeRefusals();
    await flushGatewayAudit();
    const refusal = await db().auditEvent.findFirstOrThrow({ where: { action: "gateway.edge", details: { path: ["reason"], equals: "foreign_session" }, actorId: agentId, AND: { details: { path: ["userSubject"], equals: bob.sub } } } });
    expect(refusal.details).toMatchObject({ status: 404, caller: `user bob via agent ${agentName}` });
  });
});

describe("2025-era sessions bound to the user, on an instance that did not open them (decision 038)", () => {
  const initialize = rpc("initialize", { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "replay", version: "1.0.0" } });
  const inSession = (sessionId: string, token: string) => post(rpc("tools/list"), { ...bearer(token), "mcp-session-id": sessionId, "mcp-protocol-version": "2025-06-18" });

  it("stores the user with the session; re-created, it still refuses Bob's token (audited) and serves Ada's", async () => {
    const opened = await post(initialize, bearer(await exchanged(ada)));
    const sessionId = opened.headers.get("mcp-session-id")!;
    await opened.text();
    expect((await db().gatewaySession.findUniqueOrThrow({ where: { id: sessionId } })).userKey).toBe(`${idp.issuer} ${ada.sub}`);
    await forgetLegacySessionsForTests();
    flushEdgeRefusals();
    await flushGatewayAudit();
    const before = await db().auditEvent.count({ where: { action: "gateway.edge", details: { path: ["reason"], equals: "foreign_session" }, actorId: agentId } });
    expect((await inSession(sessionId, await exchanged(bob))).status).toBe(404);
    expect((await inSession(sessionId, await idp.token(agentClient))).status).toBe(404);
    expect(holdsLegacySession(sessionId)).toBe(false);
    flushEdgeRefusals();
    await flushGatewayAudit();
    expect(await db().auditEvent.count({ where: { action: "gateway.edge", details: { path: ["reason"], equals: "foreign_session" }, actorId: agentId } })).toBeGreaterThan(before);
    expect((await inSession(sessionId, await exchanged(ada))).status).toBe(200);
    expect(holdsLegacySession(sessionId)).toBe(true);
  });
});

describe("binding and malformed act claims", () => {
  it("never binds by the user's sub: an unbound client's token for a user whose sub is bound is refused", async () => {
    const response = await post(rpc("tools/list"), bearer(await exchanged(ada, unboundClient)));
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/client_id unbound-app .* is not bound to a Toolgate agent/);
  });

  it.each([
    ["a string", "assistant-app"],
    ["an array", ["assistant-app"]],
    ["a number sub", { sub: 7 }],
    ["a huge sub", { sub: "a".repeat(300) }],
    ["control characters", { sub: "assistant\u0000app" }],
  ])("refuses act as %s with 401 and a reason naming the claim", async (_name, act) => {
    const response = await post(rpc("tools/list"), bearer(await exchanged({ sub: "user-eve", act })));
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/error="invalid_token"/);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/act(\.sub)? /);
  });
});
