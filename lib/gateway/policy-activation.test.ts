import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { defaultPolicyText } from "@/lib/policy/default-policies";
import { metricsText } from "@/lib/observability/metrics";
import { activePolicySetRecord, proposePolicySet, saveDraft, setPolicySetShadow, shadowDisagreements } from "@/lib/policy/policy-sets";
import { type Era, eras, type GovernedGateway, startGovernedGateway } from "@/test/governed-gateway";
import { activatePolicyText, policyPeople } from "@/test/policy-sets";
import { flushGatewayAudit } from "./audit-queue";
import { startResolutionInvalidation } from "./invalidation";

// The gateway reads the active policy set from the database with each agent view, and views are dropped
// by the policy_sets trigger's notification: a set activated elsewhere (through the library, on its own
// connections, or by another instance on another connection) decides the next request here, without a
// restart. Through the gateway, with the SDK clients of both eras.

const within = { timeout: 3_000, interval: 25 };

let gateway: GovernedGateway;
let stop: () => Promise<void>;
let other: pg.Client;

const forbidDeletes = `${defaultPolicyText(["critical"])}
@id("no-record-deletes")
forbid (principal, action, resource) when { resource.name == "delete_record" };
`;

beforeAll(async () => {
  gateway = await startGovernedGateway();
  // Set 1 is generated on the first read, which notifies like any change: before listening.
  await activePolicySetRecord();
  stop = await startResolutionInvalidation();
  other = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await other.connect();
});

afterAll(async () => {
  await other.end();
  await stop();
  await gateway.close();
});

async function lastCallAudit() {
  await flushGatewayAudit();
  return db().auditEvent.findFirstOrThrow({ where: { action: "gateway.tools/call" }, orderBy: { chainSeq: "desc" } });
}

describe.each(eras)("a policy set activated while the gateway runs (%s era)", (era: Era) => {
  it("decides the next request without a restart: a forbid hides the tool and refuses its call naming the policy; a rollback on another connection undoes it", async () => {
    const client = await gateway.connect(era);
    const listed = async () => (await client.listTools()).tools.map((tool) => tool.name);
    const deletes = gateway.exposed("delete_record");
    const before = await activePolicySetRecord();
    expect(await listed()).toContain(deletes);

    const forwardedDeletes = () => gateway.fixture.received.filter((request) => request.toolCall?.name === "delete_record").length;
    const forwarded = forwardedDeletes();
    const active = await activatePolicyText(forbidDeletes);
    await expect.poll(listed, within).not.toContain(deletes);
    expect(await listed()).toContain(gateway.exposed("read_record"));
    await expect(client.callTool({ name: deletes, arguments: { id: "r-1" } })).rejects.toThrow(/forbidden by policy no-record-deletes/);
    const refused = await lastCallAudit();
    expect(refused.outcome).toBe("denied");
    expect(refused.details).toMatchObject({ policyIds: "no-record-deletes", policySet: active.hash });
    expect(forwardedDeletes()).toBe(forwarded);

    // Another instance rolls back: its statements on its own connection, as rollBackPolicySet writes them.
    await other.query("BEGIN");
    await other.query("UPDATE policy_sets SET status = 'superseded' WHERE status = 'active'");
    await other.query("UPDATE policy_sets SET status = 'active', activated_at = now() WHERE id = $1", [before.id]);
    await other.query("COMMIT");
    await expect.poll(listed, within).toContain(deletes);
    await client.callTool({ name: deletes, arguments: { id: "r-1" } });
    const allowed = await lastCallAudit();
    expect(allowed.outcome).toBe("success");
    expect(allowed.details).toMatchObject({ policySet: before.hash });
    await client.close();
  });
});

describe("gateway audit events without a view of their own", () => {
  it("name the active set this process last read, as the calls' events do", async () => {
    const active = await activePolicySetRecord();
    await gateway.rpc("modern", "tools/list", {});
    const answer = await gateway.rpc("modern", "tools/call", { name: 42, arguments: {} });
    expect(answer.error?.code).toBe(-32602);
    const refused = await lastCallAudit();
    expect(refused).toMatchObject({ outcome: "denied" });
    expect(refused.details).toMatchObject({ policySet: active.hash });
  });
});

describe("a policy set in shadow", () => {
  const forbidSearches = `${defaultPolicyText(["critical"])}
@id("no-search-calls")
forbid (principal, action == Toolgate::Action::"tools/call", resource) when { resource.name == "search_records" };
`;
  const disagreementsCounted = async () => Number(/toolgate_policy_shadow_disagreements_total\{from="allow",to="deny"\} (\d+)/.exec((await metricsText()).body)?.[1] ?? 0);

  it("decides each call beside the active set without changing it, and records where it disagrees", async () => {
    const { author, approver } = await policyPeople();
    const draft = await saveDraft(author, { text: forbidSearches, description: "Would searches break anything?" });
    await proposePolicySet(author, draft.id);
    await setPolicySetShadow(approver, draft.id, true);
    const client = await gateway.connect("modern");
    const search = async () => {
      await client.callTool({ name: gateway.exposed("search_records"), arguments: { query: "x" } });
      return (await lastCallAudit()).details;
    };
    const counted = await disagreementsCounted();

    // Allowed by the active set (forwarded, audited as a success), denied by the one in shadow.
    await expect.poll(search, within).toMatchObject({ shadowDecision: "deny", shadowPolicySet: draft.hash, shadowPolicyIds: "no-search-calls" });
    expect((await lastCallAudit()).outcome).toBe("success");
    expect(await disagreementsCounted()).toBeGreaterThan(counted);
    await client.callTool({ name: gateway.exposed("read_record"), arguments: { id: "r-1" } });
    expect((await lastCallAudit()).details).not.toHaveProperty("shadowDecision");

    const { disagreements, policySet } = await shadowDisagreements(approver);
    expect(policySet).toEqual({ id: draft.id, number: draft.number });
    const recorded = await db().auditEvent.count({ where: { action: "gateway.tools/call", details: { path: ["shadowPolicySet"], equals: draft.hash } } });
    expect(disagreements).toBe(recorded);
    expect(disagreements).toBeGreaterThan(0);

    await setPolicySetShadow(approver, draft.id, false);
    await expect.poll(search, within).not.toHaveProperty("shadowDecision");
    await client.close();
  });
});
