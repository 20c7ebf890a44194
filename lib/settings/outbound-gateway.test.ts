import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { type Backend, BackendPool } from "@/lib/gateway/backends";
import { liveOutboundPolicy } from "@/lib/net/outbound";
import { makeUser } from "@/test/factories";
import { type FixtureServer, startFixtureServer } from "@/test/mcp-fixture-server";
import { resetOutboundRule, setOutboundRule } from "./outbound";

// The gateway's backend pool takes its policy when it is made (lib/gateway/backends.ts). Made with
// liveOutboundPolicy(), it follows an administrator's change without a restart.

const closing: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map((item) => item.close()));
});

function backendAt(url: string): Backend {
  return { serverId: randomUUID(), serverName: "com.example/records", versionId: randomUUID(), version: "1.0.0", endpointUrl: url };
}

describe("a backend pool holding the live outbound policy", () => {
  it.each([
    ["its address", (url: string) => url],
    // A name is checked when a connection is made, so connections made under the old rule must go.
    ["a name", (url: string) => url.replace("127.0.0.1", "localhost")],
  ])("refuses the next call to a loopback backend reached by %s once an administrator allows no private range", async (_how, address) => {
    const admin = await makeUser(["admin"]);
    const fixture: FixtureServer = await startFixtureServer();
    const pool = new BackendPool({ policy: liveOutboundPolicy() });
    closing.push(fixture, pool);
    const backend = backendAt(address(fixture.url));
    expect(new URL(fixture.url).hostname).toBe("127.0.0.1");

    await setOutboundRule(admin, { allow: "loopback" });
    expect((await pool.callTool(backend, "read_record", { id: "1" }, { readOnly: true })).isError).toBeFalsy();
    await setOutboundRule(admin, { allow: "" });
    await expect(pool.callTool(backend, "read_record", { id: "2" }, { readOnly: true })).rejects.toThrow(/a loopback address \((127\.0\.0\.1|::1)\)/);
    await resetOutboundRule(admin);
  });
});
