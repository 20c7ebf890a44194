// Benchmark backend: our fixture MCP server on loopback, in its own process. Prints its URL.
import { defaultFixtureTools, startFixtureServer } from "../../test/mcp-fixture-server";

// With BENCH_MINTED=1 the gateway sends its minted token instead of the key, so no header is required
// (the backend does not verify the token: the gateway's cost of minting is what is measured).
const requireHeader = process.env.BENCH_MINTED === "1" ? undefined : { name: "X-Backend-Key", value: process.env.BENCH_BACKEND_KEY ?? "" };
const server = await startFixtureServer({ tools: defaultFixtureTools, requireHeader });
console.log(`READY ${server.url}`);
process.on("SIGTERM", () => void Promise.race([server.close(), new Promise((resolve) => setTimeout(resolve, 2_000))]).then(() => process.exit(0)));
