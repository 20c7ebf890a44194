// `npm run bench:policy`: what one policy decision costs (issue #18's target: well under 0.1 ms), with
// the default set and with a 50-policy set, on one core, no database. "Cedar" lines evaluate every
// decision (decideUncached), with entities built once per agent and tool as the gateway will keep them
// with its cached view, or built per call; "decide" lines go through the remembered decisions, with
// inputs that repeat (three tools, three hours, three argument sets) and with arguments unique to every
// call (a set that names arguments then misses every time). BENCH_DECISIONS: measured decisions per case.
import { performance } from "node:perf_hooks";
import { defaultPolicyText } from "@/lib/policy/default-policies";
import { type DecisionInput, type DecisionResult, decide, decideUncached } from "@/lib/policy/engine";
import { agentEntities, toolEntities } from "@/lib/policy/entities";
import { type CompiledPolicySet, checkPolicySet } from "@/lib/policy/policy-set";
import { aTool, anAgent } from "@/lib/policy/test-facts";

const decisions = Number(process.env.BENCH_DECISIONS ?? 20_000);
const warmup = Math.min(5_000, decisions);

/** Forty-six more policies of the kinds the templates write: hours, classification, teams, scopes, arguments. */
function fiftyPolicyText(): string {
  const extra: string[] = [];
  for (let i = 0; extra.length < 46; i++) {
    const kind = i % 5;
    if (kind === 0) extra.push(`@id("hours-${i}")\nforbid (principal, action == Toolgate::Action::"tools/call", resource) when { resource.destructive && context.environment == "prod" } unless { context.hourOfDay >= ${i % 9} && context.hourOfDay < ${17 + (i % 6)} };`);
    if (kind === 1) extra.push(`@id("classification-${i}")\nforbid (principal, action, resource) when { resource.dataClassification == "restricted" } unless { principal in Toolgate::Team::"team-${i}" };`);
    if (kind === 2) extra.push(`@id("open-world-${i}")\nforbid (principal, action, resource) when { resource.openWorld && principal.team == "team-${i}" };`);
    if (kind === 3) extra.push(`@id("scope-${i}")\n@approval("required")\npermit (principal, action == Toolgate::Action::"tools/call", resource) when { resource.server == "com.example/s${i}" && !context.scopes.contains("tools:call:high-risk") };`);
    if (kind === 4) extra.push(`@id("argument-${i}")\nforbid (principal, action, resource) when { context.arguments.hasTag("path") && context.arguments.getTag("path") like "/secret-${i}/*" };`);
  }
  return `${defaultPolicyText(["critical"])}\n${extra.join("\n\n")}\n`;
}

function compile(name: string, text: string): CompiledPolicySet {
  const started = performance.now();
  const check = checkPolicySet(text);
  if (!check.ok) throw new Error(`${name}: ${JSON.stringify(check.problems)}`);
  console.log(`${name}: ${check.policySet.policyIds.length} policies, parsed and validated once in ${(performance.now() - started).toFixed(1)} ms`);
  return check.policySet;
}

type Decide = (policySet: CompiledPolicySet, input: DecisionInput) => DecisionResult;

function measure(label: string, policySet: CompiledPolicySet, decideWith: Decide, input: (i: number) => DecisionInput): void {
  for (let i = 0; i < warmup; i++) decideWith(policySet, input(i + decisions));
  const started = performance.now();
  const counts = { allow: 0, deny: 0, approval: 0 };
  for (let i = 0; i < decisions; i++) counts[decideWith(policySet, input(i)).decision]++;
  const ms = performance.now() - started;
  const perDecisionUs = (ms * 1000) / decisions;
  console.log(
    `  ${label.padEnd(26)} ${Math.round(decisions / (ms / 1000)).toLocaleString("en").padStart(8)} decisions/s  ${perDecisionUs.toFixed(1).padStart(6)} µs/decision  (allow ${counts.allow}, approval ${counts.approval}, deny ${counts.deny})`,
  );
}

const agent = anAgent();
const tools = [aTool(), aTool({ toolName: "delete_contact", destructive: true, riskTier: "critical" }), aTool({ toolName: "get_contact", readOnly: true, riskTier: "low" })];
const cachedAgent = agentEntities(agent);
const cachedTools = tools.map(toolEntities);
const hours = [3, 12, 22];
const args = [{ id: "c-1" }, { path: "/secret-4/key" }, { path: "/home/a", limit: 10 }];

function cachedInput(i: number): DecisionInput {
  const n = i % tools.length;
  const tool = tools[n] ?? aTool();
  return { agent, tool, action: "tools/call", call: { at: new Date(Date.UTC(2026, 11, 2, hours[i % 3] ?? 12)), arguments: args[i % 3], clientAddress: "10.1.2.3" }, agentEntities: cachedAgent, toolEntities: cachedTools[n] };
}

function perCallInput(i: number): DecisionInput {
  return { ...cachedInput(i), agentEntities: undefined, toolEntities: undefined };
}

function uniqueArgumentsInput(i: number): DecisionInput {
  const input = cachedInput(i);
  return { ...input, call: { ...input.call, arguments: { id: `c-${i}`, path: i % 7 === 0 ? "/secret-4/key" : "/home/a" } } };
}

console.log(`bench:policy — ${decisions.toLocaleString("en")} decisions per case, Node ${process.version}`);
for (const [name, text] of [
  ["default set", defaultPolicyText(["critical"])],
  ["50-policy set", fiftyPolicyText()],
] as const) {
  const policySet = compile(name, text);
  measure("Cedar, cached entities", policySet, decideUncached, cachedInput);
  measure("Cedar, per-call entities", policySet, decideUncached, perCallInput);
  measure("decide, repeated inputs", policySet, decide, cachedInput);
  measure("decide, unique arguments", policySet, decide, uniqueArgumentsInput);
}
