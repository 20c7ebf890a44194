import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { eras, type GovernedGateway, startGovernedGateway } from "@/test/governed-gateway";
import { grant, registryServer } from "@/test/registry";
import { flushGatewayAudit } from "./audit-queue";
import { clearResolutionCache } from "./invalidation";
import { namespacedToolName } from "./namespacing";

// An agent must not learn from a refusal that a tool it may not see exists: every such refusal answers
// it with the same code and words as a tool that does not exist, and only the audit row says why.
// A switch or drift that stops a tool the agent would otherwise see is still named to it.

let gateway: GovernedGateway;
const name = (server: string, tool: string) => namespacedToolName(`com.example/${server}`, tool)!;

beforeAll(async () => {
  gateway = await startGovernedGateway();
  const { agentId, serverId } = gateway;
  const certifiedIn = (environment: "prod" | "staging") => ({ [environment]: "1.0.0" });
  const version = (status: "draft" | "in_review" | "certified", tools = ["t"]) => [{ version: "1.0.0", status, tools: tools.map((tool) => ({ name: tool })) }];

  // Another team's certified, promoted server the agent holds no grant for.
  await registryServer("com.example/otherteam", version("certified"), certifiedIn("prod"));
  const pending = await registryServer("com.example/pending", version("certified"), certifiedIn("prod"));
  await grant(agentId, pending.id, "pending");
  const drafts = await registryServer("com.example/drafts", version("draft"));
  await grant(agentId, drafts.id);
  const review = await registryServer("com.example/review", version("in_review"), certifiedIn("prod"));
  await grant(agentId, review.id);
  const staging = await registryServer("com.example/stagingonly", version("certified"), certifiedIn("staging"));
  await grant(agentId, staging.id);
  const partial = await registryServer("com.example/partial", version("certified", ["granted", "withheld"]), certifiedIn("prod"));
  await db().grant.create({ data: { agentId, serverId: partial.id, status: "active", tools: ["granted"] } });
  // A kill switch on a server the agent may not see must not reveal the server or the switch's reason.
  const killedElsewhere = await registryServer("com.example/killedelsewhere", version("certified"), certifiedIn("prod"));
  await db().killSwitch.create({ data: { scope: "server", serverId: killedElsewhere.id, reason: "Breach at vendor" } });
  // A switch on the agent's own, granted tool is named to it.
  await db().killSwitch.create({ data: { scope: "tool", serverId, toolName: "delete_record", reason: "Paused for review" } });
  clearResolutionCache();
});

afterAll(async () => {
  await gateway.close();
});

const hidden: [string, () => string, RegExp][] = [
  ["no such server", () => name("nowhere", "t"), /^no such tool/],
  ["no such tool on a granted server", () => gateway.exposed("nope"), /^no such tool/],
  ["a name outside the naming scheme", () => "get_contact", /^no such tool/],
  ["another team's server, not granted", () => name("otherteam", "t"), /is not granted to this agent/],
  ["a grant still pending", () => name("pending", "t"), /is not granted to this agent/],
  ["a tool withheld from a partial grant", () => name("partial", "withheld"), /is not granted to this agent/],
  ["a draft", () => name("drafts", "t"), /is not certified/],
  ["a version in review", () => name("review", "t"), /is not certified/],
  ["certified but not promoted to the agent's environment", () => name("stagingonly", "t"), /is not promoted to prod/],
  ["a kill switch on a server the agent may not see", () => name("killedelsewhere", "t"), /kill switch: Breach at vendor/],
];

describe.each(eras)("refusals over the %s leg", (era) => {
  const call = async (tool: string) => {
    const correlationId = `corr-${crypto.randomUUID()}`;
    const answer = await gateway.rpc(era, "tools/call", { name: tool, arguments: {} }, { "x-correlation-id": correlationId });
    await flushGatewayAudit();
    const row = await db().auditEvent.findFirst({ where: { correlationId, action: "gateway.tools/call" } });
    return { answer, row };
  };

  it.each(hidden)("%s: the same code and words as no such tool; the reason only in the audit", async (_case, tool, auditReason) => {
    const exposed = tool();
    const { answer, row } = await call(exposed);
    expect(answer.error).toEqual({ code: -32602, message: `no such tool: ${exposed}` });
    expect(row).toMatchObject({ outcome: "denied", actorId: gateway.agentId });
    expect(row?.reason).toMatch(auditReason);
  });

  it("every hidden case answers word for word the same, the name aside", async () => {
    const answers = new Set<string>();
    for (const [, tool] of hidden) {
      const exposed = tool();
      const { answer } = await call(exposed);
      answers.add(JSON.stringify(answer.error).replaceAll(exposed, "<name>"));
    }
    expect([...answers]).toEqual([JSON.stringify({ code: -32602, message: "no such tool: <name>" })]);
  });

  it("a kill switch on the agent's own granted tool is named, because the agent may see that tool", async () => {
    const { answer, row } = await call(gateway.exposed("delete_record"));
    expect(answer.error?.message).toMatch(/was stopped by a kill switch: Paused for review/);
    expect(answer.error?.code).toBe(-32000);
    expect(row?.reason).toMatch(/Paused for review/);
  });
});
