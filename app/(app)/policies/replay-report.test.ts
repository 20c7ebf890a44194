import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ReplayReportView } from "@/components/policies/replay-report";
import type { ReplayReport } from "@/lib/policy/replay";

// The replay report as the set's page renders it. A fresh e2e database holds less than a day of audit
// events, which a replay refuses, so the browser test reaches the refusal and this test the report.

const report: ReplayReport = {
  calls: 12,
  unchanged: 8,
  skipped: 1,
  changes: { allowToDeny: 2, denyToAllow: 0, allowToApproval: 1, approvalToAllow: 0, approvalToDeny: 0, denyToApproval: 0 },
  groups: [
    { agentId: "a1", agentName: "billing-bot", serverName: "com.example/crm", tool: "read_record", from: "allow", to: "deny", count: 2, examples: ["41", "57"] },
    { agentId: "a1", agentName: "billing-bot", serverName: "com.example/crm", tool: "delete_record", from: "allow", to: "approval", count: 1, examples: ["60"] },
  ],
  argumentsUnknown: true,
  baseline: { id: "b", number: 1, hash: "0".repeat(64) },
  candidate: { id: "c", number: 3, hash: "1".repeat(64) },
};

const rendered = (value: ReplayReport) => renderToStaticMarkup(createElement(ReplayReportView, { report: value }));
const text = (html: string) => html.replace(/<[^>]+>/g, "").replace(/&gt;/g, ">");

describe("the replay report", () => {
  it("says how many calls change, counts each change, and lists the groups with links to their example events", () => {
    const html = rendered(report);
    expect(text(html)).toContain("Of 12 calls, set 3 decides 3 calls differently from set 1; 8 unchanged, 1 skipped");
    expect(text(html)).toContain("allow → deny: 2");
    expect(text(html)).toContain("allow → approval: 1");
    expect(html).toContain('href="/audit?event=41"');
    expect(html).toContain('href="/audit?event=57"');
    expect(html).toContain('href="/audit?event=60"');
    expect(text(html)).toContain("com.example/crm · read_record");
    expect(text(html)).toMatch(/does not keep/);
  });

  it("leaves out the notice and the table when there is nothing to say", () => {
    const html = rendered({ ...report, calls: 5, unchanged: 5, skipped: 0, groups: [], argumentsUnknown: false, changes: { ...report.changes, allowToDeny: 0, allowToApproval: 0 } });
    expect(text(html)).toContain("Of 5 calls, set 3 decides 0 calls differently from set 1; 5 unchanged.");
    expect(html).not.toContain("<table");
    expect(text(html)).not.toMatch(/does not keep/);
  });
});
