import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db/prisma";
import { quarantine, quarantineSummary } from "./quarantine";
import { recordAuditBatch } from "./record";

vi.spyOn(console, "error").mockImplementation(() => undefined);
const folders: string[] = [];
afterAll(() => Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true }))));

describe("the audit quarantine", () => {
  it("keeps each event's original text exactly, NUL and lone surrogates included, one escaped JSON line each", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "toolgate-quarantine-"));
    folders.push(dir);
    const file = path.join(dir, "audit-quarantine.jsonl");
    const event = { action: "gateway.tools/call", details: { tool: "evil\u0000tool\ud800\u202e" } };
    const notices = await quarantine([{ source: "queue", error: "refused", event, correlationId: "c-1", action: event.action }], file);
    const text = await readFile(file, "utf8");
    expect(text).not.toMatch(/\u0000/);
    expect(JSON.parse(text.trim())).toMatchObject({ source: "queue", error: "refused", event });
    expect(notices).toEqual([
      expect.objectContaining({ action: "audit.event_quarantined", outcome: "failure", correlationId: "c-1", details: { source: "queue", file, action: "gateway.tools/call" } }),
    ]);
  });

  it("is summarised for the audit page from the notices in the trail: how many, when last, which files", async () => {
    expect(await quarantineSummary()).toEqual({ count: 0, lastAt: null, files: [] });
    const notices = [
      ...(await quarantine([{ source: "queue", error: "refused", event: {}, correlationId: "q-1", action: "gateway.tools/call" }], "/srv/a/audit-quarantine.jsonl")),
      ...(await quarantine([{ source: "spool", error: "not valid JSON", line: "{" }], "/srv/b/audit-quarantine.jsonl")),
    ];
    await recordAuditBatch(db(), notices.map((notice, n) => ({ ...notice, correlationId: `q-${n}`, occurredAt: new Date(Date.UTC(2026, 10, 30, 8, n)) })));
    const summary = await quarantineSummary();
    expect(summary).toMatchObject({ count: 2, lastAt: new Date(Date.UTC(2026, 10, 30, 8, 1)) });
    expect(summary.files.sort()).toEqual(["/srv/a/audit-quarantine.jsonl", "/srv/b/audit-quarantine.jsonl"]);
  });
});
