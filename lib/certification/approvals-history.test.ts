import { beforeEach, describe, expect, it } from "vitest";
import { makeServer, makeTeam, makeUser } from "@/test/factories";
import { promotionGates } from "@/test/promotion-gates";
import { decidedPromotions, pendingApprovals } from "./approvals-history";
import { decidePromotion, requestPromotion } from "./promotion";

type Person = Awaited<ReturnType<typeof makeUser>>;
let owner: Person;
let approver: Person;
let server: Awaited<ReturnType<typeof makeServer>>;

const gates = promotionGates;

beforeEach(async () => {
  owner = await makeUser(["owner"]);
  approver = await makeUser(["approver"]);
  server = await makeServer({
    teamId: (await makeTeam([owner])).id,
    environments: ["dev", "prod"],
    versions: [
      { version: "1.0.0", status: "certified" },
      { version: "1.1.0", status: "certified" },
      { version: "1.2.0", status: "certified" },
    ],
  });
});

const toProd = (versionId: string) => requestPromotion(owner, { versionId, environment: "prod", ...gates });
// The database lives as long as this file, so each test looks only at its own server's requests.
const ours = <T extends { version: { server: { id: string } } }>(rows: T[]) => rows.filter((row) => row.version.server.id === server.id);

describe("approvals inbox", () => {
  it("lists pending requests oldest first with who asked", async () => {
    const [v1, v2] = server.versionIds as [string, string];
    const first = await toProd(v1);
    const second = await toProd(v2);
    const pending = ours(await pendingApprovals());
    expect(pending.map((p) => p.id)).toEqual([first.id, second.id]);
    expect(pending[0]).toMatchObject({ environment: "prod", requestedBy: { email: owner.email }, version: { version: "1.0.0", server: { id: server.id } } });
  });

  it("keeps decided requests, newest decision first, with the decision, the reason and both people", async () => {
    const [v1, v2, v3] = server.versionIds as [string, string, string];
    const approved = await toProd(v1);
    const denied = await toProd(v2);
    const stillPending = await toProd(v3);
    await requestPromotion(owner, { versionId: v1, environment: "dev", ...gates }); // takes effect at once: no approval
    await decidePromotion(approver, { promotionId: approved.id, decision: "approve", reason: "Plans are sound." });
    await decidePromotion(approver, { promotionId: denied.id, decision: "deny", reason: "Rollback plan is untested." });

    const history = ours(await decidedPromotions(50));
    expect(history.map((p) => p.id)).toEqual([denied.id, approved.id]);
    expect(history.map((p) => p.id)).not.toContain(stillPending.id);
    expect(history[0]).toMatchObject({
      decision: "denied",
      status: "denied",
      decisionReason: "Rollback plan is untested.",
      requestedBy: { email: owner.email },
      decidedBy: { email: approver.email },
      version: { version: "1.1.0", server: { name: server.name } },
    });
    expect(history[1]).toMatchObject({ decision: "approved", status: "promoted", environment: "prod" });
    expect(history[1]!.decidedAt.getTime()).toBeLessThanOrEqual(history[0]!.decidedAt.getTime());

    expect((await decidedPromotions(1)).map((p) => p.id)).toEqual([denied.id]);
    expect(ours(await pendingApprovals()).map((p) => p.id)).toEqual([stillPending.id]);
  });

  it("is empty before anything is decided", async () => {
    await toProd(server.versionIds[0]!);
    expect(ours(await decidedPromotions())).toEqual([]);
  });
});
