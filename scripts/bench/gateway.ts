// Benchmark gateway: the gateway's request handler on loopback, in its own process. Prints its URL.
import { startGatewayServer } from "../../test/gateway-server";

const gateway = await startGatewayServer();
console.log(`READY ${gateway.url}`);
process.on("SIGTERM", () => void gateway.close().then(() => process.exit(0)));
