// What the policy decision costs on the gateway's path, for bench:gateway's report (issue #18): the
// active set decided for the bench's agent and tool, remembered (what each call pays once the first has
// been decided) and evaluated by Cedar (the first call per agent, tool and the inputs the set reads), in
// this process on one core, with the facts built by the gateway's own builders.
import { performance } from "node:perf_hooks";
import { db } from "@/lib/db/prisma";
import { decide, decideUncached, type DecisionInput } from "@/lib/policy/engine";
import { checkPolicySet } from "@/lib/policy/policy-set";
import { activePolicySetRecord } from "@/lib/policy/policy-sets";
import { policyAgentOfRow, policyToolOf } from "@/lib/policy/tool-facts";

function perDecisionUs(count: number, run: () => void): number {
  for (let i = 0; i < Math.min(count, 1000); i++) run();
  const started = performance.now();
  for (let i = 0; i < count; i++) run();
  return ((performance.now() - started) * 1000) / count;
}

export async function printPolicyCost(agentId: string, serverName: string, toolName: string, gatewayCpuMsPerCall: number | undefined): Promise<void> {
  const agent = await db().agent.findUniqueOrThrow({ where: { id: agentId } });
  const server = await db().server.findUniqueOrThrow({ where: { name: serverName } });
  const pin = await db().pin.findUniqueOrThrow({ where: { serverId_environment: { serverId: server.id, environment: agent.environment } }, include: { version: { include: { tools: true } } } });
  const tool = pin.version.tools.find((candidate) => candidate.name === toolName);
  if (!tool) throw new Error(`${toolName} is not in the pinned version of ${serverName}.`);
  const record = await activePolicySetRecord();
  const check = checkPolicySet(record.text);
  if (!check.ok) throw new Error(`The active policy set ${record.number} does not compile.`);
  const input: DecisionInput = { agent: policyAgentOfRow(agent), tool: policyToolOf(server, pin.version, tool), action: "tools/call", call: { at: new Date() } };
  const remembered = perDecisionUs(200_000, () => decide(check.policySet, input));
  const evaluated = perDecisionUs(2_000, () => decideUncached(check.policySet, input));
  const share = gatewayCpuMsPerCall ? `, ${((100 * remembered) / (gatewayCpuMsPerCall * 1000)).toFixed(2)} % of the gateway's CPU per call at 16 clients` : "";
  console.log(`policy (issue 18): active set ${record.number}, ${check.policySet.policyIds.length} policies, decides ${decide(check.policySet, input).decision}`);
  console.log(`policy cost per call: ${remembered.toFixed(2)} µs remembered (every call after the first per agent, tool and the inputs the set reads)${share}; ${(evaluated / 1000).toFixed(3)} ms evaluated by Cedar (the first)`);
}
