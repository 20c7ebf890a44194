import { beforeAll, describe, expect, it, vi } from "vitest";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { defaultPolicyText } from "@/lib/policy/default-policies";
import { maxPolicySetBytes } from "@/lib/policy/policy-set";
import { makeUser } from "@/test/factories";
import { POST as activate } from "./[id]/activate/route";
import { POST as approve } from "./[id]/approve/route";
import { POST as propose } from "./[id]/propose/route";
import { POST as reject } from "./[id]/reject/route";
import { POST as rollBack } from "./[id]/rollback/route";
import { GET as getOne, PUT as putOne } from "./[id]/route";
import { POST as shadow } from "./[id]/shadow/route";
import { GET as list, POST as create } from "./route";
import { POST as validate } from "./validate/route";

// The policy-set API end to end against the database; only the session is stood in for: whoever
// `signedIn` names is the signed-in person.
const session = vi.hoisted(() => ({ actor: null as unknown }));
vi.mock("@/lib/auth/session", () => ({ requireActor: async () => session.actor }));

let admin: Actor;
let otherAdmin: Actor;
let approver: Actor;
let owner: Actor;

const signedIn = (actor: Actor) => (session.actor = { ...actor, name: "Test Person" });
const url = "http://localhost/api/v1/policies";
const jsonRequest = (method: string, body: unknown, path = "") =>
  new Request(`${url}${path}`, { method, headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });
const noParams = { params: Promise.resolve({}) };
const of = (id: string) => ({ params: Promise.resolve({ id }) });
const bare = (path = "") => new Request(`${url}${path}`, { method: "POST" });

const forbidDeletes = `${defaultPolicyText(["critical"])}\n@id("no-deletes")\nforbid (principal, action, resource) when { resource.name == "delete_record" };\n`;

async function draftOf(actor: Actor, text = forbidDeletes): Promise<{ id: string; hash: string; number: number }> {
  signedIn(actor);
  const response = await create(jsonRequest("POST", { text, description: "From the API." }), noParams);
  expect(response.status).toBe(201);
  return response.json();
}

beforeAll(async () => {
  admin = await makeUser(["admin"]);
  otherAdmin = await makeUser(["admin"]);
  approver = await makeUser(["approver"]);
  owner = await makeUser(["owner"]);
});

describe("the policy-set API", () => {
  it("walks a set from draft to active and back, answering the set after each step", async () => {
    signedIn(admin);
    const initial = (await (await list(new Request(url), noParams)).json()) as { policySets: { id: string; number: number; status: string }[] };
    const first = initial.policySets.find((set) => set.status === "active")!;
    expect(first).toMatchObject({ number: 1 });

    const draft = await draftOf(admin, "permit (principal, action, resource);");
    const changed = await putOne(jsonRequest("PUT", { text: forbidDeletes, description: "No deletes.", basedOnId: first.id }), of(draft.id));
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ id: draft.id, text: forbidDeletes, basedOnId: first.id, status: "draft", problems: [] });
    expect((await propose(bare(), of(draft.id))).status).toBe(200);

    signedIn(approver);
    const approved = await approve(jsonRequest("POST", { reason: "Looks right." }), of(draft.id));
    expect(await approved.json()).toMatchObject({ status: "approved", decisionReason: "Looks right.", decidedBy: { id: approver.id } });
    const shadowed = await shadow(jsonRequest("POST", { on: true }), of(draft.id));
    expect((await shadowed.json()).shadowSince).toEqual(expect.any(String));
    const active = await activate(bare(), of(draft.id));
    expect(await active.json()).toMatchObject({ status: "active", shadowSince: null });
    const back = await rollBack(bare(), of(first.id));
    expect(await back.json()).toMatchObject({ id: first.id, status: "active" });

    const one = await getOne(new Request(`${url}/${draft.id}`), of(draft.id));
    expect(await one.json()).toMatchObject({ status: "superseded", text: forbidDeletes });
  });

  it("rejects with a reason, and answers 409 for a step the set's status does not allow", async () => {
    const draft = await draftOf(admin);
    signedIn(owner);
    expect((await activate(bare(), of(draft.id))).status).toBe(403);
    signedIn(approver);
    expect((await activate(bare(), of(draft.id))).status).toBe(409);
    signedIn(admin);
    await propose(bare(), of(draft.id));
    const edit = await putOne(jsonRequest("PUT", { text: "permit (principal, action, resource);" }), of(draft.id));
    expect(edit.status).toBe(409);
    expect(await edit.json()).toMatchObject({ code: "conflict", error: expect.stringMatching(/cannot change once proposed/) });
    signedIn(approver);
    expect((await reject(jsonRequest("POST", {}), of(draft.id))).status).toBe(400);
    const rejected = await reject(jsonRequest("POST", { reason: "Breaks cleanup." }), of(draft.id));
    expect(await rejected.json()).toMatchObject({ status: "rejected", decisionReason: "Breaks cleanup." });
  });

  it("validates text without saving anything", async () => {
    signedIn(approver);
    const count = await db().policySet.count();
    const ok = await validate(jsonRequest("POST", { text: forbidDeletes }), noParams);
    expect(await ok.json()).toEqual({ problems: [] });
    const bad = await validate(jsonRequest("POST", { text: `@id("x")\nforbid (principal, action, resource) when { resource.colour == "red" };` }), noParams);
    const { problems } = (await bad.json()) as { problems: { policyId: string; line: number; message: string }[] };
    expect(problems[0]).toMatchObject({ policyId: "x", line: 2, message: expect.stringMatching(/colour/) });
    const tooBig = await validate(jsonRequest("POST", { text: `// ${"x".repeat(maxPolicySetBytes)}` }), noParams);
    expect((await tooBig.json()).problems[0].message).toMatch(/at most 256 KB/);
    expect(await db().policySet.count()).toBe(count);
  });
});

describe("refusals", () => {
  it("answers 403 to people without the role, and to the author approving or editing what is not theirs", async () => {
    const draft = await draftOf(admin);
    signedIn(owner);
    expect((await list(new Request(url), noParams)).status).toBe(403);
    expect((await getOne(new Request(url), of(draft.id))).status).toBe(403);
    expect((await validate(jsonRequest("POST", { text: "" }), noParams)).status).toBe(403);
    expect((await create(jsonRequest("POST", { text: forbidDeletes }), noParams)).status).toBe(403);
    signedIn(otherAdmin);
    expect((await putOne(jsonRequest("PUT", { text: forbidDeletes }), of(draft.id))).status).toBe(403);
    expect((await propose(bare(), of(draft.id))).status).toBe(403);
    signedIn(admin);
    await propose(bare(), of(draft.id));
    const ownApproval = await approve(jsonRequest("POST", {}), of(draft.id));
    expect(ownApproval.status).toBe(403);
    expect(await ownApproval.json()).toEqual({ error: expect.any(String), code: "forbidden" });
    signedIn({ ...admin, roles: ["admin", "approver"] });
    expect((await approve(jsonRequest("POST", {}), of(draft.id))).status).toBe(403);
    const refusals = await db().auditEvent.findMany({ where: { targetType: "policySet", outcome: "denied", actorId: { in: [owner.id, otherAdmin.id, admin.id] } } });
    expect(refusals.filter((event) => event.targetId === draft.id).map((event) => event.reason)).toEqual([
      "not the draft's author",
      "not the draft's author",
      "separation of duties: the approver wrote the policy set",
    ]);
    expect((await db().policySet.findUniqueOrThrow({ where: { id: draft.id } })).status).toBe("proposed");
  });

  it("answers 400 to malformed, oversized, control-character and wrongly typed input, and 404 to unknown ids", async () => {
    signedIn(admin);
    const count = await db().policySet.count();
    const refusals = [
      await create(jsonRequest("POST", "{not json"), noParams),
      await create(new Request(url, { method: "POST", headers: { "content-type": "text/plain" }, body: JSON.stringify({ text: forbidDeletes }) }), noParams),
      await create(jsonRequest("POST", { text: `// ${"x".repeat(maxPolicySetBytes)}` }), noParams),
      await create(jsonRequest("POST", { text: forbidDeletes, description: "bell\u0007" }), noParams),
      await create(jsonRequest("POST", { text: 42 }), noParams),
      await create(jsonRequest("POST", [forbidDeletes]), noParams),
      await create(jsonRequest("POST", { text: forbidDeletes, id: "00000000-0000-4000-8000-000000000000" }), noParams),
      await create(jsonRequest("POST", { text: forbidDeletes, status: "active" }), noParams),
      await getOne(new Request(url), of("not-a-uuid")),
      await shadow(jsonRequest("POST", { on: "yes" }), of("00000000-0000-4000-8000-000000000000")),
    ];
    for (const response of refusals) {
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: expect.any(String), code: "bad_request" });
    }
    expect((await getOne(new Request(url), of("00000000-0000-4000-8000-000000000000"))).status).toBe(404);
    expect((await propose(bare(), of("00000000-0000-4000-8000-000000000000"))).status).toBe(404);
    expect(await db().policySet.count()).toBe(count);
  });

  it("answers 400 naming the problems when the proposed text is invalid, and the set stays a draft", async () => {
    const draft = await draftOf(admin, "permit (principal, action, resource) when { ;");
    const response = await propose(bare(), of(draft.id));
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatch(/cannot be proposed: line 1/);
    expect((await db().policySet.findUniqueOrThrow({ where: { id: draft.id } })).status).toBe("draft");
  });
});
