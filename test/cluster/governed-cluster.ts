// The setup most cluster tests share: three instances behind HAProxy with limits far above the load (these
// tests are about availability; the limit test starts its own cluster), and one fixture backend governed on it.
import { governFixtureServer } from "@/test/governed-server";
import { type FixtureOptions, type FixtureServer, startFixtureServer } from "@/test/mcp-fixture-server";
import { type Cluster, startCluster } from "./harness/cluster";

export interface GovernedCluster {
  cluster: Cluster;
  fixture: FixtureServer;
  /** The agent's API key, granted the backend's tools. */
  key: string;
  agentId: string;
  stop(): Promise<void>;
}

export async function startGovernedCluster(serverName: string, fixtureOptions: FixtureOptions): Promise<GovernedCluster> {
  const cluster = await startCluster({ env: { TOOLGATE_RATE_AGENT_PER_SECOND: "100000", TOOLGATE_RATE_TOOL_PER_SECOND: "100000" } });
  let fixture: FixtureServer | undefined;
  try {
    fixture = await startFixtureServer(fixtureOptions);
    const { key, agentId } = await governFixtureServer(fixture.url, { name: serverName });
    const started = fixture;
    return { cluster, fixture, key, agentId, stop: async () => void (await started.close(), await cluster.stop()) };
  } catch (error) {
    await fixture?.close();
    await cluster.stop();
    throw error;
  }
}
