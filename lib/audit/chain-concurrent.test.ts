import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { chainEvent } from "@/test/audit-tampering";
import { verifyAuditChain } from "./chain";
import { recordAudit } from "./record";

describe("verifying the audit chain while events are written", () => {
  it("reports it intact: events that land during the walk are the chain moving on, not events missing", async () => {
    await recordAudit(db(), chainEvent("concurrent.first"));
    let writing = true;
    const writer = (async () => {
      let written = 0;
      while (writing) await recordAudit(db(), chainEvent(`concurrent.${written++}`));
      return written;
    })();
    const reports = [];
    try {
      for (let round = 0; round < 40; round++) reports.push(await verifyAuditChain());
    } finally {
      writing = false;
    }
    expect(await writer).toBeGreaterThan(0);
    expect(reports.filter((report) => !report.intact)).toEqual([]);
    expect(await verifyAuditChain()).toMatchObject({ intact: true });
  }, 60_000);
});
