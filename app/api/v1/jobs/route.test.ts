import { beforeAll, describe, expect, it, vi } from "vitest";
import { jobList } from "@/lib/api/jobs-paths";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { UnauthenticatedError } from "@/lib/errors";
import { defineJob, JobScheduler } from "@/lib/runtime/jobs";
import { makeUser } from "@/test/factories";
import { agentWithKey } from "@/test/registry";
import { GET } from "./route";

// The jobs API against the database; only the session is stood in for: whoever `signedIn` names is the
// signed-in person, and nobody is when it is null (a request with an agent's key has no session).
const session = vi.hoisted(() => ({ actor: null as unknown }));
vi.mock("@/lib/auth/session", () => ({
  requireActor: async () => {
    if (!session.actor) throw new UnauthenticatedError();
    return session.actor;
  },
}));

const url = "http://localhost/api/v1/jobs";
const noParams = { params: Promise.resolve({}) };
const signedIn = (actor: Actor | null) => (session.actor = actor && { ...actor, name: "Test Person" });

beforeAll(async () => {
  vi.spyOn(console, "error").mockImplementation(() => undefined);
  const scheduler = new JobScheduler({
    instanceId: "instance-a",
    jobs: [
      defineJob({ name: "works", periodMs: 60_000, run: async () => ({ summary: "3 checked, 0 drifted, 1 unreachable: io.acme/crm 1.2.0 (connect ECONNREFUSED)" }) }),
      defineJob({
        name: "breaks",
        periodMs: 60_000,
        run: async () => {
          throw new Error("backend <unreachable>");
        },
      }),
    ],
  });
  await scheduler.seed();
  await scheduler.tick();
  // Two more failures: failing from the third in a row.
  for (let i = 0; i < 2; i++) {
    await db().job.update({ where: { name: "breaks" }, data: { nextRunAt: new Date(0) } });
    await scheduler.tick();
  }
});

describe("GET /api/v1/jobs", () => {
  it("lists every job with its period, last run, outcome, error, next run and failures, for an administrator", async () => {
    signedIn(await makeUser(["admin"]));
    const response = await GET(new Request(url), noParams);
    expect(response.status).toBe(200);
    const body: unknown = await response.json();
    // The body is what the OpenAPI document says, field for field (a field missing there fails: strict).
    expect(() => jobList.extend({ jobs: jobList.shape.jobs.element.strict().array() }).parse(body)).not.toThrow();
    const { jobs } = body as { jobs: Record<string, unknown>[] };
    expect(jobs.map((job) => job.name)).toEqual(["breaks", "works"]);
    expect(jobs[0]).toMatchObject({
      periodMs: 60_000,
      runningBy: null,
      lastOutcome: "failed",
      lastError: "backend <unreachable>",
      consecutiveFailures: 3,
      failing: true,
      lastInstance: "instance-a",
      lastSummary: null,
      nextRunAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(jobs[1]).toMatchObject({
      lastOutcome: "succeeded",
      lastError: null,
      consecutiveFailures: 0,
      failing: false,
      lastSummary: "3 checked, 0 drifted, 1 unreachable: io.acme/crm 1.2.0 (connect ECONNREFUSED)",
    });
  });

  it.each([["reviewer"], ["owner"], ["approver"]] as const)("refuses a %s with 403, audited", async (role) => {
    const person = await makeUser([role]);
    signedIn(person);
    const response = await GET(new Request(url), noParams);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ code: "forbidden" });
    const refusal = await db().auditEvent.findFirst({ where: { actorId: person.id, outcome: "denied", action: "jobs.view" } });
    expect(refusal).toMatchObject({ targetType: "route", targetId: "/api/v1/jobs", reason: "missing role" });
  });

  it("refuses an agent's key: the API wants a person's session", async () => {
    const { key } = await agentWithKey("prod");
    signedIn(null);
    const response = await GET(new Request(url, { headers: { Authorization: `Bearer ${key}` } }), noParams);
    expect(response.status).toBe(401);
  });
});
