// Benchmark gateway: the gateway's request handler on loopback, in its own process. Prints its URL.
import { startGatewayServer } from "../../test/gateway-server";

const gateway = await startGatewayServer();
console.log(`READY ${gateway.url}`);
// Exits even when a client keeps a connection open; the audit queue flushes on its own hooks.
process.on("SIGTERM", () => void Promise.race([gateway.close(), new Promise((resolve) => setTimeout(resolve, 2_000))]).then(() => process.exit(0)));
