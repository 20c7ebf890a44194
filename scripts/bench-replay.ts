// `npm run bench:replay`: how long a policy replay takes (issue #18's target: 100k calls in under 30 s).
// On a throw-away embedded PostgreSQL: a catalog of BENCH_TOOLS tools (10 per server) and BENCH_AGENTS
// agents, and BENCH_CALLS audited tools/call events over the last 7 days written by INSERT … SELECT generate_series
// (the audit chain's trigger still runs per row: its time is printed), then a replay of a stricter set
// against the active set, as a replay run does it, and a second one of a set that reads the hour of day.
import { performance } from "node:perf_hooks";
import { prepareDatabase } from "./bench/database";

const calls = Number(process.env.BENCH_CALLS ?? 100_000);
const agentCount = Number(process.env.BENCH_AGENTS ?? 50);
const toolCount = Number(process.env.BENCH_TOOLS ?? 40);
const toolsPerServer = 10;
const seedBatch = Number(process.env.BENCH_SEED_BATCH ?? 5_000);
const dayMs = 24 * 3600 * 1000;

const seconds = (startedAt: number) => (performance.now() - startedAt) / 1000;

async function main(): Promise<void> {
  const database = await prepareDatabase("toolgate_bench_replay");
  process.env.DATABASE_URL = database.url;
  try {
    const { db } = await import("@/lib/db/prisma");
    const { makeServer, makeTeam } = await import("../test/factories");
    const { activePolicySetRecord } = await import("@/lib/policy/policy-sets");
    const { checkPolicySet } = await import("@/lib/policy/policy-set");
    const { countReplayableCalls, replayCalls } = await import("@/lib/policy/replay");

    // ---- The catalog: servers of ten tools, a mix of read-only, destructive and plain; agents in every environment ----
    const team = await makeTeam();
    const tools: { serverId: string; serverName: string; tool: string }[] = [];
    for (let s = 0; s * toolsPerServer < toolCount; s++) {
      const names = Array.from({ length: Math.min(toolsPerServer, toolCount - s * toolsPerServer) }, (_, t) => `tool_${t}`);
      const server = await makeServer({
        teamId: team.id,
        name: `io.bench/server-${s}`,
        classification: s % 2 === 0 ? "internal" : "confidential",
        versions: [{ version: "1.0.0", status: "certified", tools: names.map((name, t) => ({ name, annotations: t % 3 === 0 ? { readOnlyHint: true } : t % 3 === 1 ? { destructiveHint: true } : {} })) }],
      });
      await db().serverVersion.update({ where: { id: server.versionIds[0] }, data: { riskTier: (["low", "medium", "high", "critical"] as const)[s % 4], approvalTools: ["tool_9"] } });
      for (const name of names) tools.push({ serverId: server.id, serverName: server.name, tool: name });
    }
    const environments = ["dev", "staging", "prod"] as const;
    await db().agent.createMany({ data: Array.from({ length: agentCount }, (_, a) => ({ name: `bench-agent-${a}`, teamId: team.id, environment: environments[a % 3]! })) });
    const agents = await db().agent.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" } });

    // ---- The audit trail: call i is agent i mod A, tool (i / A) mod T, spread evenly over the 7 days before `to` ----
    // In statements of `seedBatch` rows: the chain trigger updates its one head row per event, and within one
    // statement every update leaves a row version the next must step over (100k in one statement: 337 s).
    const to = new Date();
    const from = new Date(to.getTime() - 7 * dayMs);
    const stepMs = (7 * dayMs - 1) / calls;
    const agentIds = agents.map((agent) => agent.id);
    const agentNames = agents.map((agent) => agent.name);
    const serverIds = tools.map((tool) => tool.serverId);
    const toolNames = tools.map((tool) => tool.tool);
    const serverNames = tools.map((tool) => tool.serverName);
    const seeding = performance.now();
    for (let first = 0; first < calls; first += seedBatch) {
      const last = Math.min(calls, first + seedBatch) - 1;
      await db().$executeRaw`
        INSERT INTO audit_events (occurred_at, actor_id, actor_label, action, target_type, target_id, outcome, reason, details, correlation_id)
        SELECT ${from}::timestamptz + (i * ${stepMs}::float8) * interval '1 millisecond',
               (${agentIds}::text[])[1 + i % ${agentCount}], 'agent:' || (${agentNames}::text[])[1 + i % ${agentCount}], 'gateway.tools/call', 'server',
               (${serverIds}::text[])[1 + (i / ${agentCount}) % ${toolCount}],
               CASE WHEN i % 20 = 0 THEN 'denied' ELSE 'success' END::"AuditOutcome",
               CASE WHEN i % 20 = 0 THEN 'x is forbidden by policy p' END,
               jsonb_build_object('decision', CASE WHEN i % 20 = 0 THEN 'refused' ELSE 'allowed' END, 'latencyMs', 1,
                 'tool', (${toolNames}::text[])[1 + (i / ${agentCount}) % ${toolCount}], 'version', '1.0.0',
                 'serverName', (${serverNames}::text[])[1 + (i / ${agentCount}) % ${toolCount}])
                 || CASE WHEN i % 20 = 0 THEN jsonb_build_object('policySet', 'h', 'policyIds', 'p') WHEN i % 20 = 1 THEN jsonb_build_object('approvalId', gen_random_uuid()) ELSE '{}'::jsonb END,
               'bench-' || i
        FROM generate_series(${first}::int, ${last}::int) AS i`;
    }
    const seeded = seconds(seeding);
    await db().$executeRaw`ANALYZE audit_events`;
    console.log(`Seeded ${calls.toLocaleString("en")} audited tools/call events (${agentCount} agents × ${toolCount} tools, 7 days) in ${seeded.toFixed(1)} s: ${Math.round(calls / seeded).toLocaleString("en")} rows/s through the audit chain's per-row trigger.`);

    // ---- The replays ----
    const active = await activePolicySetRecord();
    const compile = (text: string) => {
      const check = checkPolicySet(text);
      if (!check.ok) throw new Error(check.problems.map((problem) => problem.message).join("; "));
      return check.policySet;
    };
    const baseline = { id: active.id, number: active.number, policySet: compile(active.text) };
    const candidates = {
      "stricter set": `${active.text}
@id("no-destructive-in-prod")
forbid (principal, action == Toolgate::Action::"tools/call", resource) when { resource.destructive && principal.environment == "prod" };

@id("confidential-needs-approval")
@approval("required")
permit (principal, action == Toolgate::Action::"tools/call", resource) when { resource.dataClassification == "confidential" && !resource.readOnly };
`,
      "stricter set reading the hour": `${active.text}
@id("destructive-in-office-hours")
forbid (principal, action == Toolgate::Action::"tools/call", resource) when { resource.destructive } unless { context.hourOfDay >= 8 && context.hourOfDay < 18 };
`,
    };
    for (const [label, text] of Object.entries(candidates)) {
      const candidate = { id: active.id, number: 0, policySet: compile(text) };
      const started = performance.now();
      const total = await countReplayableCalls(from, to);
      const report = await replayCalls({ candidate, baseline, from, to });
      const elapsed = seconds(started);
      const changed = Object.entries(report.changes).filter(([, n]) => n > 0).map(([change, n]) => `${change} ${n.toLocaleString("en")}`).join(", ");
      console.log(
        `Replay, ${label}: ${report.calls.toLocaleString("en")} calls (counted ${total.toLocaleString("en")}) in ${elapsed.toFixed(1)} s, ${Math.round(report.calls / elapsed).toLocaleString("en")} calls/s; ` +
          `unchanged ${report.unchanged.toLocaleString("en")}, skipped ${report.skipped}, ${changed || "no changes"}; ${report.groups.length} groups.`,
      );
    }
    await db().$disconnect();
  } finally {
    await database.stop();
  }
}

await main();
