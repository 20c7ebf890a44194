// Benchmark backend: our fixture MCP server on loopback, in its own process. Prints its URL.
import { defaultFixtureTools, startFixtureServer } from "../../test/mcp-fixture-server";

const server = await startFixtureServer({ tools: defaultFixtureTools, requireHeader: { name: "X-Backend-Key", value: process.env.BENCH_BACKEND_KEY ?? "" } });
console.log(`READY ${server.url}`);
process.on("SIGTERM", () => void Promise.race([server.close(), new Promise((resolve) => setTimeout(resolve, 2_000))]).then(() => process.exit(0)));
