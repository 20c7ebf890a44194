import { describe, expect, it } from "vitest";
import { refusalKindLabel, refusalKindOf, refusalKinds } from "./refusal-kinds";

// Sentences as lib/gateway words them (resolution.ts, limits.ts, arguments.ts, approval-gate.ts,
// call-input.ts, virtual-server.ts); the SQL twin of refusalKindOf is checked in stats.test.ts.
const sentences: [string | null, string][] = [
  ["tool delete_record of server com.example/crm was stopped by a kill switch: Breach at vendor", "kill_switch"],
  ["tool t of server com.example/crm is blocked: definition drift since certification", "drift"],
  ["tool t of server com.example/crm is not granted to this agent", "not_granted"],
  ["tool t of server com.example/crm is not certified", "not_certified"],
  ["tool t of server com.example/crm is not promoted to prod", "not_promoted"],
  ["no such tool: com_example_crm__nope", "unknown_tool"],
  ["com_example_crm__t became available just now; retry the call", "changed"],
  ["this agent is disabled", "agent"],
  ["unknown agent", "agent"],
  ["The call was denied by ada@example.com: not today (approval request 0b6f).", "approval_denied"],
  ["Approval request 0b6f expired without a decision; call again to ask for a new approval.", "approval_missing"],
  ["Approval request 0b6f is still waiting for a person. Call again with the same arguments once it is approved.", "approval_missing"],
  ["approval cap: agent bot already has 5 approval requests waiting for a person", "approval_cap"],
  ["rate limit: at most 5 calls per second for this agent; retry in 120ms", "rate_limit"],
  ["rate limit: at most 2 calls per second to tool 'x' for this agent; retry in 3s", "rate_limit"],
  ["quota: at most 1000 calls per day for this agent are used up; retry in 4h", "quota"],
  ["argument 'path' must be string", "invalid_arguments"],
  ["arguments must be object", "invalid_arguments"],
  ["missing required argument 'path'", "invalid_arguments"],
  ["unexpected argument 'mode'", "invalid_arguments"],
  ["the certified schema cannot be used: unknown format", "schema_unusable"],
  ["Invalid params: the tool name is too long.", "invalid_params"],
  ["The gateway is shutting down and forwards no new calls: retry shortly.", "shutting_down"],
  ["", "none"],
  [null, "none"],
  ["Something nobody planned for", "other"],
];

describe("refusal kinds", () => {
  it.each(sentences)("%j is a refusal of kind %s", (sentence, kind) => {
    expect(refusalKindOf(sentence)).toBe(kind);
  });

  it("each have a label and a pattern both PostgreSQL and JavaScript read (no \\b, \\d or lookaround)", () => {
    for (const { kind, pattern } of refusalKinds) {
      expect(refusalKindLabel(kind)).not.toBe(kind);
      expect(pattern).not.toMatch(/\\[bdswBDSW]|\(\?/);
    }
    expect(refusalKindLabel("none")).toBe("No reason recorded");
    expect(refusalKindLabel("kind-from-a-newer-version")).toBe("kind-from-a-newer-version");
  });
});
