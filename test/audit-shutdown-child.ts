// A gateway process in miniature for the audit tests. "sigterm" and "exit" queue audit events, then end
// that way, so lib/gateway/audit-queue.test.ts can check nothing queued was lost. "serve" serves the
// gateway on loopback and, on SIGTERM, ends as the front server does (lib/runtime/app-server.ts: once
// the audit is drained), for lib/gateway/audit-durability.test.ts.
import { enqueueGatewayAudit, installAuditShutdownHooks, replayAuditSpool, shutdownGatewayAudit } from "@/lib/gateway/audit-queue";
import { startGatewayServer } from "@/test/gateway-server";

const [how = "sigterm", prefix = "child", count = "5"] = process.argv.slice(2);
installAuditShutdownHooks();

if (how === "serve") {
  await replayAuditSpool();
  const gateway = await startGatewayServer();
  // Connections stay open, as the front server's keep-alive connections do after it stops listening:
  // calls still arriving must be refused, not forwarded.
  process.once("SIGTERM", () => void shutdownGatewayAudit().finally(() => process.exit(0)));
  process.stdout.write(`${JSON.stringify({ url: gateway.url })}\n`);
} else {
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
}
// Keep the process alive until the signal handling ends it.
setInterval(() => undefined, 1_000);
