import { beforeAll, describe, expect, it, vi } from "vitest";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { makeServer, makeTeam, makeUser } from "@/test/factories";
import { PUT as putDraft } from "./[name]/draft/route";
import { GET as getOne } from "./[name]/route";
import { POST as certify } from "./[name]/versions/[number]/certify/route";
import { POST as reject } from "./[name]/versions/[number]/reject/route";
import { POST as submit } from "./[name]/versions/[number]/submit/route";
import { POST as create, GET as list } from "./route";

// The bundle API end to end against the database; only the session is stood in for.
const session = vi.hoisted(() => ({ actor: null as unknown }));
vi.mock("@/lib/auth/session", () => ({ requireActor: async () => session.actor }));

let owner: Actor;
let stranger: Actor;
let reviewer: Actor;
let teamId: string;
let server: string;

const signedIn = (actor: Actor) => (session.actor = { ...actor, name: "Test Person" });
const request = (method: string, body?: unknown) =>
  new Request("http://localhost/api/v1/bundles", { method, headers: { "content-type": "application/json" }, ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }) });
const params = (values: Record<string, string>) => ({ params: Promise.resolve(values) });

beforeAll(async () => {
  owner = await makeUser(["owner"]);
  stranger = await makeUser(["owner"]);
  reviewer = await makeUser(["reviewer"]);
  teamId = (await makeTeam([owner])).id;
  ({ name: server } = await makeServer({ teamId, versions: [{ version: "1.0.0", status: "certified", tools: [{ name: "search" }, { name: "get_ticket" }] }] }));
});

describe("the bundle API", () => {
  it("creates, drafts, submits and certifies, and shows the bundle to its team and to reviewers", async () => {
    signedIn(owner);
    const created = await create(request("POST", { name: "api-desk", title: "API desk", teamId, tools: [{ server, tool: "search" }] }), params({}));
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ bundle: "api-desk", number: 1, status: "draft" });
    const drafted = await putDraft(request("PUT", { tools: [{ server, tool: "search" }, { server, tool: "get_ticket" }] }), params({ name: "api-desk" }));
    expect(await drafted.json()).toMatchObject({ number: 1, tools: [{ tool: "search" }, { tool: "get_ticket" }] });
    expect((await submit(request("POST"), params({ name: "api-desk", number: "1" }))).status).toBe(204);
    signedIn(reviewer);
    expect((await certify(request("POST", { reason: "Right tools." }), params({ name: "api-desk", number: "1" }))).status).toBe(204);
    expect(await (await getOne(request("GET"), params({ name: "api-desk" }))).json()).toMatchObject({ name: "api-desk", versions: [{ number: 1, status: "certified", reviewerId: reviewer.id }] });
    signedIn(stranger);
    expect((await getOne(request("GET"), params({ name: "api-desk" }))).status).toBe(403);
  });

  it("refuses bad input with 400 and its reason, other teams with 403, unknown bundles with 404", async () => {
    signedIn(owner);
    const bad = await create(request("POST", { name: "Bad Name", title: "x", teamId, tools: [] }), params({}));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: "bad_request" });
    expect((await create(request("POST", "not json"), params({}))).status).toBe(400);
    expect((await create(request("POST", [1, 2]), params({}))).status).toBe(400);
    expect((await putDraft(request("PUT", { tools: [{ server, tool: "search" }] }), params({ name: "..%2Fapi-desk" }))).status).toBe(400);
    expect((await submit(request("POST"), params({ name: "api-desk", number: "one" }))).status).toBe(400);
    expect((await submit(request("POST"), params({ name: "no-such-desk", number: "1" }))).status).toBe(404);
    signedIn(stranger);
    expect((await create(request("POST", { name: "their-desk", title: "x", teamId, tools: [{ server, tool: "search" }] }), params({}))).status).toBe(403);
    signedIn(reviewer);
    expect((await reject(request("POST", { reason: "\u0000" }), params({ name: "api-desk", number: "1" }))).status).toBe(400);
    expect(await db().auditEvent.count({ where: { actorId: stranger.id, outcome: "denied" } })).toBeGreaterThan(0);
  });

  it("lists the bundles a person may see, and refuses people who neither define nor review them", async () => {
    signedIn(owner);
    expect((await (await list(request("GET"), params({}))).json()).map((b: { name: string }) => b.name)).toContain("api-desk");
    signedIn(stranger);
    const theirs = await list(request("GET"), params({}));
    expect(theirs.status).toBe(200);
    expect((await theirs.json()).map((b: { name: string }) => b.name)).not.toContain("api-desk");
    const approver = await makeUser(["approver"]);
    signedIn(approver);
    expect((await list(request("GET"), params({}))).status).toBe(403);
  });
});
