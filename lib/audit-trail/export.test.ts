import { beforeAll, describe, expect, it } from "vitest";
import { makeUser } from "@/test/factories";
import { db } from "@/lib/db/prisma";
import { ForbiddenError, ValidationError } from "@/lib/errors";
import type { AuditEvent } from "@/lib/generated/prisma/client";
import type { AuditAction } from "@/lib/audit/actions";
import { csvField, csvHeader, csvLine, exportAuditTrail, exportColumns, exportStream, jsonLine } from "./export";
import { recordAudit } from "@/lib/audit/record";

const sample: AuditEvent = {
  id: 7n,
  chainSeq: 12n,
  occurredAt: new Date("2026-01-31T09:30:00.123Z"),
  actorId: null,
  actorLabel: "agent:scout",
  action: "gateway.tools/call",
  targetType: "server",
  targetId: "s1",
  reason: 'said "no", then\r\nleft',
  correlationId: "corr-1",
  outcome: "denied",
  details: { decision: "refused", tool: "echo", latencyMs: 3 },
  prevHash: "a".repeat(64),
  hash: "b".repeat(64),
  idempotencyKey: null,
};

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

async function* pagesOf(...pages: AuditEvent[][]) {
  yield* pages;
}

describe("CSV", () => {
  it("quotes fields with commas, quotes and line breaks (RFC 4180)", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
  });

  it("neutralises what a spreadsheet would run as a formula", () => {
    for (const value of ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]) expect(csvField(value)).toMatch(/^"?'/);
    expect(csvField("=HYPERLINK(\"http://evil\",\"x\")")).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(csvField("a=b")).toBe("a=b");
  });

  it("writes a header and one CRLF-ended line per event, in the documented columns", () => {
    expect(csvHeader).toBe("chainSeq,occurredAt,actorLabel,actorId,action,targetType,targetId,outcome,reason,correlationId,details,prevHash,hash\r\n");
    expect(csvLine(sample)).toBe(
      `12,2026-01-31T09:30:00.123Z,agent:scout,,gateway.tools/call,server,s1,denied,"said ""no"", then\r\nleft",corr-1,` +
        `"{""decision"":""refused"",""tool"":""echo"",""latencyMs"":3}",${"a".repeat(64)},${"b".repeat(64)}\r\n`,
    );
  });

  it("streams the header first, then each page", async () => {
    const second = { ...sample, chainSeq: 13n, reason: null, details: null };
    const csv = await text(exportStream(pagesOf([sample], [second]), "csv"));
    expect(csv.split("\r\n")[0]).toBe(exportColumns.join(","));
    expect(csv.endsWith(`,corr-1,,${"a".repeat(64)},${"b".repeat(64)}\r\n`)).toBe(true);
  });
});

describe("JSON Lines", () => {
  it("writes one event per line that reads back as the event, chain position as a string", async () => {
    const second = { ...sample, chainSeq: 13n, details: ["a", { nested: true }], reason: "line\nbreak" };
    const lines = (await text(exportStream(pagesOf([sample, second]), "jsonl"))).split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe("");
    const [first, next] = lines.slice(0, 2).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(Object.keys(first!)).toEqual([...exportColumns]);
    expect(first).toMatchObject({ chainSeq: "12", occurredAt: "2026-01-31T09:30:00.123Z", actorId: null, reason: sample.reason, details: sample.details, prevHash: sample.prevHash });
    expect(next).toMatchObject({ chainSeq: "13", details: ["a", { nested: true }], reason: "line\nbreak" });
    expect(jsonLine(sample)).toBe(`${lines[0]}\n`);
  });
});

describe("exporting the audit trail", () => {
  let admin: Awaited<ReturnType<typeof makeUser>>;

  beforeAll(async () => {
    admin = await makeUser(["admin"]);
    await recordAudit(db(), { actor: { label: "system" }, action: "x.first" as AuditAction, target: { type: "x" }, outcome: "success", reason: "=cmd|' /C calc'!A0", correlationId: "c1" });
    await recordAudit(db(), { actor: { label: "system" }, action: "x.second" as AuditAction, target: { type: "x" }, outcome: "denied", correlationId: "c2" });
  });

  it("streams matching events as an attachment and records who exported what", async () => {
    const exported = await exportAuditTrail(admin, { format: "csv", action: "x.first" as AuditAction, cursor: "" });
    expect(exported.headers).toMatchObject({
      "Content-Type": "text/csv; charset=utf-8",
      "X-Content-Type-Options": "nosniff",
      "Content-Disposition": expect.stringMatching(/^attachment; filename="toolgate-audit-\d{4}-\d{2}-\d{2}\.csv"/),
    });
    const lines = (await text(exported.body)).split("\r\n");
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^1,.*,x\.first,x,,success,'=cmd\|' \/C calc'!A0,c1,,/);
    const recorded = await db().auditEvent.findFirstOrThrow({ where: { action: "audit.export" } });
    expect(recorded).toMatchObject({ actorId: admin.id, actorLabel: admin.email, outcome: "success", details: { format: "csv", filters: { action: "x.first" } } });
  });

  it("exports JSON Lines that include the hashes", async () => {
    const exported = await exportAuditTrail(admin, { format: "jsonl", outcome: "denied" });
    expect(exported.headers["Content-Type"]).toBe("application/x-ndjson");
    const events = (await text(exported.body)).trim().split("\n").map((line) => JSON.parse(line) as { action: string; hash: string; prevHash: string });
    expect(events.map((e) => e.action)).toEqual(["x.second"]);
    expect(events[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("refuses an unknown format or bad filters with a clear message, and people without the role", async () => {
    await expect(exportAuditTrail(admin, { format: "xml" })).rejects.toThrow("Choose the export format: format=csv or format=jsonl.");
    await expect(exportAuditTrail(admin, {})).rejects.toThrow(ValidationError);
    await expect(exportAuditTrail(admin, { format: "csv", outcome: "maybe" })).rejects.toThrow("The outcome is success, denied or failure.");
    const owner = await makeUser(["owner"]);
    await expect(exportAuditTrail(owner, { format: "csv" })).rejects.toThrow(ForbiddenError);
    expect(await db().auditEvent.count({ where: { action: "audit.export", outcome: "denied", actorId: owner.id } })).toBe(1);
  });
});
