// A gateway process in miniature for lib/gateway/audit-queue.test.ts: queues audit events, then ends
// the way argv[2] says ("sigterm" or "exit"), so the test can check nothing queued was lost.
import { enqueueGatewayAudit, installAuditShutdownHooks } from "@/lib/gateway/audit-queue";

const [how = "sigterm", prefix = "child", count = "5"] = process.argv.slice(2);
installAuditShutdownHooks();
for (let i = 0; i < Number(count); i++) {
  enqueueGatewayAudit({
    agentId: null,
    agentName: "child",
    decision: "allowed",
    latencyMs: i,
    correlationId: `${prefix}-${i}`,
    method: "tools/call",
  });
}
if (how === "exit") process.exit(0);
else process.kill(process.pid, "SIGTERM");
// Keep the process alive until the signal handling ends it.
setInterval(() => undefined, 1_000);
