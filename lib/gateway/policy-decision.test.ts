import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { defaultPolicyText } from "@/lib/policy/default-policies";
import { checkPolicySet } from "@/lib/policy/policy-set";
import { activatePolicyText } from "@/test/policy-sets";
import { type Era, eras, type GovernedGateway, startGovernedGateway } from "@/test/governed-gateway";
import { flushGatewayAudit } from "./audit-queue";
import { clearResolutionCache } from "./invalidation";
import { approvalWording, decideFor, toolPolicyFacts } from "./policy-decision";

// The gateway asks the active policy set after kill switches, grants, pins and drift: a forbid hides a
// tool from tools/list and refuses its tools/call, naming the policy, on the lean path and the SDK path.

let gateway: GovernedGateway;

const forbidding = `${defaultPolicyText(["critical"])}
@id("no-record-deletes")
forbid (principal, action, resource) when { resource.name == "delete_record" };

@id("no-search-calls")
forbid (principal, action == Toolgate::Action::"tools/call", resource) when { resource.name == "search_records" };
`;

beforeAll(async () => {
  gateway = await startGovernedGateway();
  await activatePolicyText(forbidding);
  clearResolutionCache();
});

afterAll(async () => {
  await gateway.close();
});

async function lastCallAudit() {
  await flushGatewayAudit();
  return db().auditEvent.findFirstOrThrow({ where: { action: "gateway.tools/call" }, orderBy: { chainSeq: "desc" } });
}

describe.each(eras)("policy over the %s era", (era: Era) => {
  for (const path of ["lean", "sdk"] as const) {
    const meta = path === "sdk" ? { _meta: { progressToken: "p-1" } } : {};

    it(`hides a tool a forbid covers for tools/list, and lists one forbidden only for tools/call (${path})`, async () => {
      const answer = await gateway.rpc(era, "tools/list", meta);
      const names = (answer.result!.tools as { name: string }[]).map((tool) => tool.name);
      expect(names).not.toContain(gateway.exposed("delete_record"));
      expect(names).toContain(gateway.exposed("search_records"));
      expect(names).toContain(gateway.exposed("read_record"));
    });

    it(`refuses a forbidden call with -32000 naming the policy, audited with the policy ids (${path})`, async () => {
      const answer = await gateway.rpc(era, "tools/call", { name: gateway.exposed("search_records"), arguments: { query: "x" }, ...meta });
      expect(answer.error?.code).toBe(-32000);
      expect(answer.error?.message).toContain("no-search-calls");
      const event = await lastCallAudit();
      expect(event.outcome).toBe("denied");
      expect(event.reason).toContain("no-search-calls");
      expect(event.details).toMatchObject({ policyIds: "no-search-calls" });
      expect(gateway.fixture.received.some((request) => request.toolCall?.name === "search_records")).toBe(false);
    });

    it(`still forwards a call no policy forbids (${path})`, async () => {
      const answer = await gateway.rpc(era, "tools/call", { name: gateway.exposed("read_record"), arguments: { id: "r-1" }, ...meta });
      expect(answer.error).toBeUndefined();
      expect((await lastCallAudit()).outcome).not.toBe("denied");
    });
  }
});

describe("an approval's reason", () => {
  const tool = { serverId: "s", serverName: "com.example/crm", versionId: "v", version: "1.0.0", toolName: "wipe", riskTier: "critical", readOnly: false, destructive: true, idempotent: false, openWorld: false, dataClassification: "internal", certified: true, reviewerRequiresApproval: false, approvalEnvironments: [] } as const;
  const agent = { agentId: "a", name: "bot", teamId: "t", environment: "prod", scopes: [], onBehalfOf: null } as const;

  it("keeps the default set's words, and names any other approval policy by its id", () => {
    const custom = checkPolicySet(`${defaultPolicyText([])}
@id("weekend-writes")
@approval("required")
permit (principal, action == Toolgate::Action::"tools/call", resource) when { !resource.readOnly };
`);
    const defaults = checkPolicySet(defaultPolicyText(["critical"]));
    if (!custom.ok || !defaults.ok) throw new Error("the sets must compile");
    const reason = (set: typeof custom.policySet) => approvalWording(set, decideFor(set, agent, toolPolicyFacts({ ...tool, approvalEnvironments: [] }), "tools/call", new Date()), tool, "prod");
    expect(reason(defaults.policySet)).toBe("Policy: tools that are not read-only need approval at risk critical.");
    expect(reason(custom.policySet)).toBe("Policy weekend-writes requires approval for each call.");
  });
});
