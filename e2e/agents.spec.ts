import { expect, test } from "@playwright/test";
import { e2eAdmin } from "../playwright.config";
import { startFixtureServer } from "../test/mcp-fixture-server";
import { type Person, registerServerByApi, setUpTeam, signIn, signOut } from "./helpers";

// "agents" runs first among the feature specs, so it makes its own team, owner and server. The server
// is the test fixture (records tools), not server-everything, so later specs' catalog searches for
// server-everything's words find only their own entries.
const team = "Agents Team";
const owner: Person = { email: "ada-agents@e2e.test", name: "Ada Owner", password: "ada's long password", role: "Server owner" };
const serverName = "io.example/agent-records";
const agentName = "support-bot";

let backend: Awaited<ReturnType<typeof startFixtureServer>>;

test.describe.configure({ mode: "serial" });
test.beforeAll(async () => {
  backend = await startFixtureServer();
});
test.afterAll(async () => {
  await backend?.close();
});

test("the administrator sets up a team with an owner, who registers a server", async ({ page }) => {
  await setUpTeam(page, team, [owner]);

  await signIn(page, owner.email, owner.password);
  await registerServerByApi(page, { name: serverName, title: "Records, for agents", purpose: "A records service, granted to a support agent.", team, endpointUrl: backend.url });
  await signOut(page);
});

test("the administrator creates an agent, a key shown once, and grants it the server", async ({ page }) => {
  await signIn(page, e2eAdmin.email, e2eAdmin.password);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Agents" }).click();

  const create = page.getByRole("form", { name: "Create agent" });
  await create.getByLabel("Agent name").fill("no spaces allowed");
  await create.getByLabel("Team").selectOption({ label: team });
  await create.getByRole("button", { name: "Create agent" }).click();
  await expect(create.getByLabel("Agent name")).toHaveAccessibleDescription(/letters, digits and \. _ - only/);
  await create.getByLabel("Agent name").fill(agentName);
  await create.getByLabel("Team").selectOption({ label: team });
  await create.getByLabel("Environment").selectOption("prod");
  await create.getByRole("button", { name: "Create agent" }).click();
  await expect(create.getByRole("status")).toHaveText(`Created agent ${agentName}.`);

  const agent = page.getByRole("article", { name: `Agent ${agentName}` });
  await expect(agent).toContainText(team);
  await expect(agent).toContainText("No API keys yet.");
  const keyForm = agent.getByRole("form", { name: "Create API key" });
  await keyForm.getByLabel("Key label (optional)").fill("support host");
  await keyForm.getByRole("button", { name: "Create API key" }).click();
  await expect(keyForm.getByText("it will not be shown again")).toBeVisible();
  const key = (await keyForm.getByTestId("new-api-key").textContent())!.trim();
  expect(key).toMatch(/^tgk_[a-z2-7]{8}_[A-Za-z0-9_-]{43}$/);
  const prefix = key.split("_")[1]!;
  const keys = agent.getByRole("table", { name: `API keys of ${agentName}` });
  await expect(keys).toContainText(`tgk_${prefix}_…`);
  await expect(keys).toContainText("support host");

  const grantForm = agent.getByRole("form", { name: "Grant access" });
  await grantForm.getByLabel("Server").selectOption({ label: serverName });
  await grantForm.getByLabel(/^Tools/).fill("no-such-tool");
  await grantForm.getByRole("button", { name: "Grant access" }).click();
  await expect(grantForm.getByLabel(/^Tools/)).toHaveAccessibleDescription(/has no tool named no-such-tool/);
  await grantForm.getByLabel("Server").selectOption({ label: serverName });
  await grantForm.getByLabel(/^Tools/).fill("read_record, search_records");
  await grantForm.getByRole("button", { name: "Grant access" }).click();
  await expect(grantForm.getByRole("status")).toHaveText("Granted.");
  const grants = agent.getByRole("table", { name: `Grants of ${agentName}` });
  await expect(grants.getByRole("link", { name: serverName })).toBeVisible();
  await expect(grants).toContainText("read_record, search_records");
  await expect(grants).toContainText("active");

  // Shown once: after a reload the page holds only the prefix.
  await page.reload();
  await expect(page.getByRole("article", { name: `Agent ${agentName}` })).toContainText(`tgk_${prefix}_…`);
  await expect(page.getByText(key)).toHaveCount(0);
  await signOut(page);
});

test("the agent's card says how to connect it, and what it sees at the gateway now", async ({ page }) => {
  await signIn(page, e2eAdmin.email, e2eAdmin.password);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Agents" }).click();
  const agent = page.getByRole("article", { name: `Agent ${agentName}` });
  await agent.getByText("Connect this agent").click();
  const gatewayUrl = `${new URL(page.url()).origin}/mcp`;
  await expect(agent).toContainText(`Gateway (MCP, Streamable HTTP): ${gatewayUrl}`);
  await expect(agent.getByLabel("A host's mcp.json")).toContainText(`"url": "${gatewayUrl}"`);
  await expect(agent.getByLabel("A TypeScript client (MCP SDK)")).toContainText(`name: "${agentName}"`);
  // The server is granted but not certified yet, so the agent's tools/list is empty, and the page says why.
  const preview = agent.getByRole("form", { name: "Test connection" });
  await preview.getByRole("button", { name: "Test connection" }).click();
  await expect(preview.getByRole("status")).toHaveText(`${agentName} sees no tools yet: it needs an active grant to a server certified and promoted to its environment.`);
  await signOut(page);
});
