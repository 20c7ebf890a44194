// Benchmark gateway: the gateway's request handler on loopback, in its own process, with the duties the
// app starts beside it (instrumentation.ts): above all the LISTEN that keeps cached resolutions valid,
// without which they are re-read every few seconds. Prints its URL.
import { startBackgroundDuties } from "@/lib/runtime/background";
import { startGatewayServer } from "../../test/gateway-server";

await startBackgroundDuties();
const gateway = await startGatewayServer();
console.log(`READY ${gateway.url}`);
// Exits even when a client keeps a connection open; the audit queue flushes on its own hooks.
process.on("SIGTERM", () => void Promise.race([gateway.close(), new Promise((resolve) => setTimeout(resolve, 2_000))]).then(() => process.exit(0)));
