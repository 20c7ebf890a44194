import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { dayMs, type ReplayFixture, replayFixture } from "@/test/audited-calls";
import { defaultPolicyText } from "./default-policies";
import { checkPolicySet, type CompiledPolicySet } from "./policy-set";
import { countReplayableCalls, replayCalls, type ReplaySet } from "./replay";

function compile(text: string): CompiledPolicySet {
  const check = checkPolicySet(text);
  if (!check.ok) throw new Error(check.problems.map((problem) => problem.message).join("; "));
  return check.policySet;
}

const baselineText = defaultPolicyText([]);
const stricterText = `${baselineText}
@id("no-destructive")
forbid (principal, action == Toolgate::Action::"tools/call", resource) when { resource.destructive };

@id("not-for-mallory")
forbid (principal, action, resource) when { principal has user && principal.user.subject == "mallory" };
`;

const windowTo = new Date();
const windowFrom = new Date(windowTo.getTime() - 7 * dayMs);

let fixture: ReplayFixture;
const baseline = (): ReplaySet => ({ id: randomUUID(), number: 1, policySet: compile(baselineText) });
const candidate = (text = stricterText): ReplaySet => ({ id: randomUUID(), number: 2, policySet: compile(text) });

beforeAll(async () => {
  fixture = await replayFixture();
  const { bob, serverName } = fixture;
  const policyDenial = { decision: "refused", reason: `x__read_record is forbidden by policy p`, details: { policyIds: "p", policySet: "h" } } as const;
  await fixture.audit([
    // Replayed: reached the backend, waited for approval, refused by policy.
    { tool: "read_record" },
    { tool: "read_record" },
    { tool: "read_record" },
    { tool: "delete_record", approvalId: randomUUID() },
    { tool: "delete_record", approvalId: randomUUID(), decision: "failed", reason: "Not approved: the request expired." },
    { tool: "delete_record", decision: "failed", reason: `backend ${serverName} answered with an error: boom` },
    { tool: "delete_record", agentId: bob.id, agentName: bob.name, approvalId: randomUUID() },
    { tool: "read_record", ...policyDenial },
    { tool: "read_record", onBehalfOf: { issuer: "https://idp.example", subject: "mallory", name: null } },
    { tool: "read_record", onBehalfOf: { issuer: "https://idp.example", subject: "ada", name: "Ada Lovelace" } },
    // Replayable but no longer known: skipped.
    { tool: "read_record", version: "9.9.9" },
    // Not replayed: decided before policy, or refused after it for a reason of their own, or outside the window.
    { tool: "read_record", serverId: null, version: null, decision: "refused", reason: "tool read_record of server x is not granted to this agent" },
    { tool: "delete_record", decision: "refused", reason: "Rate limit: retry in 1 s", details: { policyIds: "reviewer-marked-approval", policySet: "h" } },
    { tool: "delete_record", decision: "failed", reason: "id must be a string" },
    { tool: "read_record", at: new Date(windowFrom.getTime() - dayMs) },
  ]);
});

describe("replayCalls", () => {
  it("counts what a stricter set changes, by agent, tool and decision, leaving out calls policy did not decide", async () => {
    expect(await countReplayableCalls(windowFrom, windowTo)).toBe(11);
    const report = await replayCalls({ baseline: baseline(), candidate: candidate(), from: windowFrom, to: windowTo });
    expect(report).toMatchObject({
      calls: 11,
      unchanged: 5,
      skipped: 1,
      changes: { allowToDeny: 1, denyToAllow: 0, allowToApproval: 0, approvalToAllow: 0, approvalToDeny: 4, denyToApproval: 0 },
      argumentsUnknown: false,
    });
    expect(report.groups.map(({ agentName, tool, from, to, count, examples }) => ({ agentName, tool, from, to, count, examples: examples.length }))).toEqual([
      { agentName: fixture.alice.name, tool: "delete_record", from: "approval", to: "deny", count: 3, examples: 3 },
      { agentName: fixture.bob.name, tool: "delete_record", from: "approval", to: "deny", count: 1, examples: 1 },
      { agentName: fixture.alice.name, tool: "read_record", from: "allow", to: "deny", count: 1, examples: 1 },
    ]);
    const example = await db().auditEvent.findUniqueOrThrow({ where: { id: BigInt(report.groups[2]!.examples[0]!) } });
    expect(example.details).toMatchObject({ userSubject: "mallory" });
  });

  it("reads page by page and reports progress", async () => {
    const progress: number[] = [];
    const report = await replayCalls({ baseline: baseline(), candidate: candidate(), from: windowFrom, to: windowTo, pageSize: 3, onProgress: async (n) => void progress.push(n) });
    expect(progress).toEqual([3, 6, 9, 11]);
    expect(report.calls).toBe(11);
    expect(report.changes.approvalToDeny).toBe(4);
  });

  it("says when the candidate reads arguments, which the audit trail does not keep", async () => {
    const readsArguments = `${baselineText}
forbid (principal, action, resource) when { context.arguments.hasTag("path") };
`;
    const report = await replayCalls({ baseline: baseline(), candidate: candidate(readsArguments), from: windowFrom, to: windowTo });
    expect(report.argumentsUnknown).toBe(true);
    expect(report.unchanged).toBe(10);
  });
});
