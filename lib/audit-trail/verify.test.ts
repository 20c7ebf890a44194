import { describe, expect, it } from "vitest";
import { makeUser } from "@/test/factories";
import { db } from "@/lib/db/prisma";
import { ForbiddenError } from "@/lib/errors";
import type { AuditAction } from "@/lib/audit/actions";
import { recordAudit } from "@/lib/audit/record";
import { chainReportMessage, verifyAuditChainAs } from "./verify";

describe("verifying the chain on request", () => {
  it("reports an intact chain and records the check with its result", async () => {
    const reviewer = await makeUser(["reviewer"]);
    await recordAudit(db(), { actor: { label: "system" }, action: "x.one" as AuditAction, target: { type: "x" }, outcome: "success" });
    const report = await verifyAuditChainAs(reviewer);
    expect(report).toEqual({ intact: true, checked: 1 });
    expect(chainReportMessage(report)).toBe("Chain intact: 1 events checked.");
    const recorded = await db().auditEvent.findFirstOrThrow({ where: { action: "audit.verify_chain" } });
    expect(recorded).toMatchObject({ actorId: reviewer.id, outcome: "success", details: { intact: true, checked: 1 } });
  });

  it("names every place a broken chain breaks", () => {
    const message = chainReportMessage({
      intact: false,
      checked: 4,
      truncated: false,
      findings: [
        { chainSeq: 5n, eventId: 9n, problem: "edited", message: "Event #5 was changed." },
        { chainSeq: 7n, eventId: null, problem: "missing", message: "Event(s) #7 are missing." },
      ],
    });
    expect(message).toBe("Chain broken (2 problems, 4 events checked): Event #5 was changed. Event(s) #7 are missing.");
  });

  it("refuses people without the role", async () => {
    await expect(verifyAuditChainAs(await makeUser(["owner"]))).rejects.toThrow(ForbiddenError);
  });
});
