import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseInput } from "@/lib/validation";
import { makeTeam, makeUser } from "@/test/factories";
import { type FixtureServer, startFixtureServer } from "@/test/mcp-fixture-server";
import { registerServer } from "./register";
import { catalogQuerySchema } from "./schemas";
import { db } from "@/lib/db/prisma";
import { pinsByEnvironment, searchCatalog } from "./search";

let fixture: FixtureServer;
let teams: { id: string; name: string }[];

async function register(name: string, toolDescription: string, overrides: Record<string, unknown>) {
  const owner = await makeUser(["owner"]);
  const team = await makeTeam([owner]);
  teams.push(team);
  fixture.setTools([{ name: `${name.split("/")[1]}_tool`, description: toolDescription, inputSchema: { type: "object" } }]);
  await registerServer(owner, {
    name,
    title: `${name} title`,
    purpose: "A test server.",
    teamId: team.id,
    environments: ["dev"],
    classification: "internal",
    endpointUrl: fixture.url,
    version: { version: "1.0.0" },
    ...overrides,
  });
}

const search = async (query: Record<string, string>) => (await searchCatalog(parseInput(catalogQuerySchema, query))).map((row) => row.name);

beforeAll(async () => {
  fixture = await startFixtureServer();
  teams = [];
  await register("com.acme/weather", "Forecasts precipitation for a city.", { classification: "public", environments: ["dev", "prod"] });
  await register("com.acme/billing", "Refunds an invoice to the customer.", { classification: "restricted", riskTier: "high" });
  await register("org.example/files", "Reads files from the shared drive.", {});
});
afterAll(() => fixture.close());

describe("catalog search", () => {
  it("finds an entry by a word of a tool description, stemmed", async () => {
    expect(await search({ q: "refund" })).toEqual(["com.acme/billing"]);
    expect(await search({ q: "forecast" })).toEqual(["com.acme/weather"]);
  });

  it("finds by tool name, name and title", async () => {
    expect(await search({ q: "files_tool" })).toEqual(["org.example/files"]);
    expect(await search({ q: "weather" })).toEqual(["com.acme/weather"]);
    expect(await search({ q: "com.acme" })).toEqual(["com.acme/billing", "com.acme/weather"]);
  });

  it("filters by classification, risk tier, team, environment and status", async () => {
    expect(await search({ classification: "restricted" })).toEqual(["com.acme/billing"]);
    expect(await search({ riskTier: "high" })).toEqual(["com.acme/billing"]);
    expect(await search({ teamId: teams[2]!.id })).toEqual(["org.example/files"]);
    expect(await search({ environment: "prod" })).toEqual(["com.acme/weather"]);
    expect(await search({ status: "draft" })).toHaveLength(3);
    expect(await search({ status: "certified" })).toEqual([]);
  });

  it("shows the latest version, its status and tool count", async () => {
    const [row] = await searchCatalog({ q: "billing" });
    expect(row).toMatchObject({ latestVersion: "1.0.0", status: "draft", toolCount: 1, teamName: teams[1]!.name });
  });

  it("says what each environment runs and how many tools drifted, in the same query", async () => {
    const [before] = await searchCatalog({ q: "weather" });
    expect(before).toMatchObject({ pins: [], driftedTools: 0 });
    expect(pinsByEnvironment(before!)).toEqual([
      { environment: "dev", version: null },
      { environment: "prod", version: null },
    ]);
    const version = await db().serverVersion.findFirstOrThrow({ where: { serverId: before!.id } });
    await db().pin.create({ data: { serverId: before!.id, environment: "prod", versionId: version.id } });
    const incident = { serverId: before!.id, versionId: version.id, toolName: "weather_tool", pinnedHash: "a", liveHash: "b" };
    // Two incidents of one tool (one resolved) and none of another count as one drifted tool.
    await db().driftIncident.createMany({ data: [incident, { ...incident, resolvedAt: new Date() }] });
    const [after] = await searchCatalog({ q: "weather" });
    expect(after).toMatchObject({ pins: [{ environment: "prod", version: "1.0.0" }], driftedTools: 1 });
    expect(pinsByEnvironment(after!)).toEqual([
      { environment: "dev", version: null },
      { environment: "prod", version: "1.0.0" },
    ]);
    await db().driftIncident.deleteMany({ where: { serverId: before!.id } });
    await db().pin.deleteMany({ where: { serverId: before!.id } });
  });

  it("treats search syntax and SQL as plain words", async () => {
    expect(await search({ q: "'; DROP TABLE servers; --" })).toEqual([]);
    expect(await search({ q: "%" })).toEqual([]);
    expect(await search({})).toHaveLength(3);
  });

  it("refuses unknown filter values clearly", () => {
    expect(() => parseInput(catalogQuerySchema, { status: "bogus" })).toThrow("Unknown status.");
  });
});
