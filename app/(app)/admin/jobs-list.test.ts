import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { type JobCard, JobsList, periodText } from "@/components/admin/jobs-list";

// The "Background jobs" tab's list as the admin page renders it (the e2e spec checks the live page).

const base: JobCard = {
  name: "drift-sweep",
  periodMs: 300_000,
  nextRunAt: "2026-12-01T10:05:00.000Z",
  runningBy: null,
  lastStartedAt: "2026-12-01T10:00:00.000Z",
  lastFinishedAt: "2026-12-01T10:00:01.000Z",
  lastOutcome: "succeeded",
  lastError: null,
  consecutiveFailures: 0,
  failing: false,
  lastInstance: "toolgate-0",
  lastSummary: null,
};

const rendered = (jobs: JobCard[]) => renderToStaticMarkup(createElement(JobsList, { jobs }));
const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");

describe("the background jobs list", () => {
  it("shows each job's period, last run with its instance, next run and outcome", () => {
    const html = rendered([base]);
    expect(text(html)).toContain("drift-sweep succeeded");
    expect(text(html)).toContain("Every 5 min");
    expect(text(html)).toContain("Last run 2026-12-01 10:00:00 UTC on toolgate-0");
    expect(text(html)).toContain("Next run 2026-12-01 10:05:00 UTC");
    expect(html).toContain('<time dateTime="2026-12-01T10:05:00.000Z">');
    expect(text(html)).not.toContain("Failures in a row");
    expect(text(html)).not.toContain("Last result");
  });

  it("shows what the last run found, escaped and wrapping on a phone", () => {
    const summary = "12 backends: 10 checked, 1 drifted, 2 unreachable: io.acme/crm 1.2.0 (could not connect to backend io.acme/crm: connection <refused>), io.acme/a-very-long-server-name-without-any-space 2.0.0 (timeout)";
    const html = rendered([{ ...base, lastSummary: summary }]);
    expect(text(html)).toContain("Last run 2026-12-01 10:00:00 UTC on toolgate-0 Last result 12 backends: 10 checked, 1 drifted, 2 unreachable: io.acme/crm 1.2.0");
    expect(html).toContain("connection &lt;refused&gt;");
    expect(html).toMatch(/<dd class="[^"]*\bmin-w-0\b[^"]*\bbreak-words\b[^"]*">12 backends/);
  });

  it("marks a job failing after three failures in a row, with its error escaped", () => {
    const html = rendered([{ ...base, lastOutcome: "failed", lastError: "backend <down>\nagain", consecutiveFailures: 3, failing: true }]);
    expect(text(html)).toContain("failing: 3 failures in a row");
    expect(text(html)).toContain("Failures in a row 3");
    expect(html).toContain("backend &lt;down&gt;\nagain");
    expect(html).toContain("border-red-300");
  });

  it("says a retry is coming after one failure, a run under way, a job never run, and an empty table", () => {
    expect(text(rendered([{ ...base, lastOutcome: "failed", lastError: "x", consecutiveFailures: 1 }]))).toContain("failed, retrying");
    expect(text(rendered([{ ...base, runningBy: "toolgate-2" }]))).toContain("running on toolgate-2");
    expect(text(rendered([{ ...base, lastOutcome: null, lastStartedAt: null, lastInstance: null }]))).toContain("not run yet Every 5 min Last run never");
    expect(text(rendered([]))).toContain("No job has been registered yet");
  });

  it.each([
    [500, "0.5 s"],
    [30_000, "30 s"],
    [60_000, "1 min"],
    [3_600_000, "1 h"],
    [5_400_000, "1 h 30 min"],
  ])("writes a period of %d ms as %s", (ms, words) => {
    expect(periodText(ms)).toBe(words);
  });
});
