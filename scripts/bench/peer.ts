// Benchmark peer: @civic/passthrough-mcp-server, a plain Streamable HTTP passthrough with no hooks and no
// governance, in front of the benchmark backend, in its own process. Configured like its CLI, from
// TARGET_SERVER_URL (an origin: the proxy appends /mcp itself) and HOOKS, which must be empty. Prints its URL.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createHttpPassthroughProxy, loadConfig } from "@civic/passthrough-mcp-server";
import { z } from "zod";

z.url({ protocol: /^http$/ }).parse(process.env.TARGET_SERVER_URL);
const { target, hooks } = loadConfig();
if (hooks?.length) throw new Error("The benchmark peer runs without hooks: leave HOOKS empty.");

// Its logger has no levels and prints a debug line to stdout for every request; muted, as the gateway
// prints nothing per call (warnings and errors still reach stderr).
console.log = () => {};

const proxy = await createHttpPassthroughProxy({ target, autoStart: false });
// start() listens on every interface. The benchmark stays on loopback, so the proxy's own server (routing
// and handler unchanged, made by createHttpPassthroughProxy) is listened on here instead.
const server: unknown = proxy["httpServer"];
if (!(server instanceof http.Server)) throw new Error("@civic/passthrough-mcp-server no longer keeps its HTTP server in httpServer.");
await new Promise<void>((resolve, reject) => {
  server.once("error", reject);
  server.listen(0, "127.0.0.1", resolve);
});
const { port } = server.address() as AddressInfo;
process.stdout.write(`READY http://127.0.0.1:${port}/mcp\n`);

const close = async () => {
  await new Promise((resolve) => {
    server.close(resolve);
    server.closeAllConnections();
  });
  await proxy.sessionManager.removeAllSessions();
};
process.on("SIGTERM", () => void Promise.race([close(), new Promise((resolve) => setTimeout(resolve, 2_000))]).then(() => process.exit(0)));
