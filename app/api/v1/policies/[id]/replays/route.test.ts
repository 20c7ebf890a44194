import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { activePolicySetRecord, proposePolicySet, saveDraft } from "@/lib/policy/policy-sets";
import { GET as getReplay } from "@/app/api/v1/policy-replays/[id]/route";
import { dayMs, replayFixture } from "@/test/audited-calls";
import { makeUser } from "@/test/factories";
import { GET, POST } from "./route";

// The signed-in person, without a session cookie: whoever the test sets.
const session = vi.hoisted(() => ({ actor: null as Actor | null }));
vi.mock("@/lib/auth/session", () => ({ requireActor: async () => session.actor }));

let setId: string;
let reviewer: Actor;

const post = (id: string, body: string, contentType = "application/json") =>
  POST(new Request(`http://localhost/api/v1/policies/${id}/replays`, { method: "POST", headers: { "content-type": contentType }, body }), { params: Promise.resolve({ id }) });
const latest = (id: string) => GET(new Request(`http://localhost/api/v1/policies/${id}/replays`), { params: Promise.resolve({ id }) });
const replay = (id: string) => getReplay(new Request(`http://localhost/api/v1/policy-replays/${id}`), { params: Promise.resolve({ id }) });

beforeAll(async () => {
  const fixture = await replayFixture();
  await fixture.audit([{ tool: "delete_record", approvalId: randomUUID() }, { tool: "read_record", at: new Date(Date.now() - 3 * dayMs) }]);
  const author = await makeUser(["admin"]);
  reviewer = await makeUser(["reviewer"]);
  const active = await activePolicySetRecord();
  const draft = await saveDraft(author, { text: `${active.text}\nforbid (principal, action, resource) when { resource.destructive };\n`, description: "Stricter." });
  await proposePolicySet(author, draft.id);
  setId = draft.id;
});

describe("POST and GET /api/v1/policies/{id}/replays, GET /api/v1/policy-replays/{id}", () => {
  it("starts a replay (202), which its own URL and the set's latest then show until done", async () => {
    session.actor = reviewer;
    const started = await post(setId, JSON.stringify({ days: 2 }));
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };
    let run: { status: string; report: { changes: Record<string, number> } | null } = { status: "queued", report: null };
    for (let attempt = 0; attempt < 100 && run.status !== "done"; attempt++) {
      const response = await replay(id);
      expect(response.status).toBe(200);
      run = await response.json();
      if (run.status !== "done") await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(run.report?.changes.approvalToDeny).toBe(1);
    const newest = await latest(setId);
    expect(await newest.json()).toMatchObject({ replay: { id, status: "done", windowFrom: expect.stringMatching(/Z$/) } });
  });

  it("refuses bad input with 400 and unknown ids with 404", async () => {
    session.actor = reviewer;
    for (const response of [
      await post(setId, "{not json"),
      await post(setId, JSON.stringify({ days: 2 }), "text/plain"),
      await post(setId, JSON.stringify({ days: -1 })),
      await post(setId, JSON.stringify({ days: "2" })),
      await post(setId, JSON.stringify({ days: 2, pad: "x".repeat(1024 * 1024) })),
      await post(setId, JSON.stringify({ days: 400 })),
      await post("../../x", JSON.stringify({})),
      await replay("1 OR 1=1"),
      await latest("\u0000"),
    ]) {
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: expect.any(String), code: "bad_request" });
    }
    for (const response of [await post(randomUUID(), "{}"), await replay(randomUUID()), await latest(randomUUID())]) expect(response.status).toBe(404);
  });

  it("answers 403 to people without policies.view, and audits the refusal", async () => {
    const owner = await makeUser(["owner"]);
    session.actor = owner;
    for (const response of [await post(setId, "{}"), await latest(setId), await replay(randomUUID())]) {
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ code: "forbidden" });
    }
    expect(await db().auditEvent.count({ where: { actorId: owner.id, outcome: "denied" } })).toBe(3);
  });
});
