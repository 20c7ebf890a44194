import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectLegacy, connectModern } from "@/test/gateway-clients";
import { closeGatewayTest, startGatewayServer } from "@/test/gateway-server";
import { governFixtureServer } from "@/test/governed-server";
import { agentWithKey, grant } from "@/test/registry";
import { startUpstreamFixture, type UpstreamFixture } from "@/test/upstream-fixture";
import { type Backend, BackendPool } from "./backends";

// One upstream session per agent (decision 027): a stateful backend keeps a counter per session, so an
// agent that shared another's session would see the other's counts.

let fixture: UpstreamFixture;
let gateway: Awaited<ReturnType<typeof startGatewayServer>>;
let serverId: string;
const count = "com.example_scounter__count";

beforeAll(async () => {
  fixture = await startUpstreamFixture();
  ({ serverId } = await governFixtureServer(fixture.url, { name: "com.example/counter" }));
  gateway = await startGatewayServer();
});

afterAll(() => closeGatewayTest(gateway, fixture));

async function grantedAgent(): Promise<string> {
  const { agentId, key } = await agentWithKey("prod");
  await grant(agentId, serverId);
  return key;
}

const connectors = {
  legacy: (key: string) => connectLegacy(gateway.url, { Authorization: `Bearer ${key}` }),
  modern: (key: string) => connectModern(gateway.url, { Authorization: `Bearer ${key}` }),
};

describe.each(["legacy", "modern"] as const)("two agents through the gateway, %s era", (era) => {
  it("each sees only its own state on a stateful backend", async () => {
    const [first, second] = await Promise.all([grantedAgent(), grantedAgent()]);
    const [a, b] = await Promise.all([connectors[era](first), connectors[era](second)]);
    const counted = async (client: typeof a) => ((await client.callTool({ name: count, arguments: {} })).structuredContent as { count: number }).count;
    expect(await counted(a)).toBe(1);
    expect(await counted(a)).toBe(2);
    expect(await counted(b)).toBe(1);
    expect(await counted(a)).toBe(3);
    expect(await counted(b)).toBe(2);
    // A new client connection of the same agent keeps the agent's upstream session.
    const again = await connectors[era](first);
    expect(await counted(again)).toBe(4);
    await Promise.all([a.close(), b.close(), again.close()]);
  });
});

describe("the pool's bounds", () => {
  const pools: BackendPool[] = [];
  const policy = { allow: ["127.0.0.0/8", "::1/128"] };
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.close()));
  });
  const newPool = (sessions: { max?: number; perBackend?: number; idleMs?: number }) => {
    const pool = new BackendPool({ policy, sessions });
    pools.push(pool);
    return pool;
  };
  const backendAt = (url: string): Backend => ({ serverId: randomUUID(), serverName: "com.example/counter", versionId: randomUUID(), version: "1.0.0", endpointUrl: url });
  const agent = (n: number) => ({ agentId: `agent-${n}`, name: `agent ${n}` });
  const countFor = async (pool: BackendPool, backend: Backend, n: number) =>
    ((await pool.callTool(backend, "count", {}, { readOnly: false, agent: agent(n) })).structuredContent as { count: number }).count;

  it("closes the least recently used session when a backend has its most", async () => {
    const pool = newPool({ perBackend: 2 });
    const backend = backendAt(fixture.url);
    expect(await countFor(pool, backend, 1)).toBe(1);
    expect(await countFor(pool, backend, 2)).toBe(1);
    expect(await countFor(pool, backend, 3)).toBe(1);
    expect(pool.sessionCount()).toBe(2);
    expect(pool.states()[0]!.sessions).toBe(2);
    // Agent 1's session was the least recently used: closed, and a new one starts from zero.
    expect(await countFor(pool, backend, 1)).toBe(1);
    // Agent 3's is still there.
    expect(await countFor(pool, backend, 3)).toBe(2);
  });

  it("holds to the total across backends", async () => {
    const pool = newPool({ max: 2 });
    const [one, two] = [backendAt(fixture.url), backendAt(fixture.url)];
    await countFor(pool, one, 1);
    await countFor(pool, two, 1);
    await countFor(pool, one, 2);
    expect(pool.sessionCount()).toBe(2);
    // The first session opened (backend one, agent 1) made room.
    expect(await countFor(pool, one, 1)).toBe(1);
  });

  it("closes sessions left idle, telling the backend", async () => {
    const pool = newPool({ idleMs: 100 });
    const backend = backendAt(fixture.url);
    const before = fixture.seen.filter((request) => request.httpMethod === "DELETE").length;
    await countFor(pool, backend, 1);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(pool.sessionCount()).toBe(0);
    await expect.poll(() => fixture.seen.filter((request) => request.httpMethod === "DELETE").length).toBe(before + 1);
    expect(await countFor(pool, backend, 1)).toBe(1);
  });

  it("keeps a session per person when the agent acts for someone", async () => {
    const pool = newPool({});
    const backend = backendAt(fixture.url);
    const forAlice = { ...agent(1), onBehalfOf: { subject: "alice" } };
    const call = async (identity: typeof forAlice | ReturnType<typeof agent>) =>
      ((await pool.callTool(backend, "count", {}, { readOnly: false, agent: identity })).structuredContent as { count: number }).count;
    expect(await call(forAlice)).toBe(1);
    expect(await call(agent(1))).toBe(1);
    expect(await call(forAlice)).toBe(2);
  });
});
