import AxeBuilder from "@axe-core/playwright";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { expect, type Page, test } from "@playwright/test";
import { e2eAdmin, e2ePort } from "../playwright.config";
import { type AuthorizationServer, startAuthorizationServer, type TestClient } from "../test/authorization-server";
import { phone, signIn } from "./helpers";

// Issue #17, the people's side: an administrator registers the organisation's identity provider (a real
// oidc-provider on loopback, which the e2e server may reach because it listens on loopback only) and
// binds an agent's OAuth client to it; the client's token then lists the agent's tools at /mcp, and an
// unbound client's token is refused with a message saying what to do.
//
// The agent is cert-bot, granted a certified and promoted server by e2e/certification.spec.ts, which
// runs before this spec in the same database (the feature specs run in file order).
const agentName = "cert-bot";
const bound: TestClient = { clientId: "cert-bot-client", secret: "cert-bot-client-secret-0123456789", scope: "tools:read tools:call" };
const unbound: TestClient = { clientId: "stranger-client", secret: "stranger-client-secret-0123456789", scope: "tools:read tools:call" };
/** The owner in e2e/certification.spec.ts, a member of cert-bot's team. */
const teamOwner = { email: "cora@e2e.test", password: "cora's long password" };
const desktop = { width: 1366, height: 900 };

test.describe.configure({ mode: "serial" });

let idp: AuthorizationServer;
/** The gateway's resource (RFC 8707), as its protected resource metadata states it. */
let resource = "";

test.beforeAll(async () => {
  const metadata = (await (await fetch(`http://localhost:${e2ePort}/.well-known/oauth-protected-resource/mcp`)).json()) as { resource: string };
  resource = metadata.resource;
  idp = await startAuthorizationServer({ audience: resource, clients: [bound, unbound] });
});
test.afterAll(async () => {
  await idp?.close();
});

async function listTools(token: string) {
  const client = new Client({ name: "identity-e2e", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(resource), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  const { tools } = await client.listTools();
  await client.close();
  return tools.map((tool) => tool.name);
}

async function expectAccessible(page: Page, path: string) {
  for (const viewport of [phone, desktop]) {
    await page.setViewportSize(viewport);
    await page.goto(path);
    const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    const serious = violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
    expect.soft(serious.map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(" ")).join(", ")})`), `${path} at ${viewport.width} px`).toEqual([]);
    expect.soft(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${path} fits ${viewport.width} px`).toBe(true);
  }
}

test("the administrator registers the identity provider; an address the outbound rule refuses names the rule", async ({ page }) => {
  await signIn(page, e2eAdmin.email, e2eAdmin.password);
  await page.goto("/agents");
  // Before any issuer, an agent's card says where to register one.
  const card = page.getByRole("article", { name: `Agent ${agentName}` });
  await expect(card, `${agentName} comes from e2e/certification.spec.ts`).toBeVisible();
  await expect(card.getByRole("link", { name: "Register one under Admin → Identity providers" })).toBeVisible();

  await page.goto("/admin?tab=identity");
  const form = page.getByRole("form", { name: "Register issuer" });
  await form.getByLabel("Issuer URL").fill("http://10.20.30.40/realms/agents");
  await form.getByRole("button", { name: "Register issuer" }).click();
  await expect(form.getByRole("alert").first()).toContainText("which Toolgate does not connect to");
  await expect(form).toContainText("The outbound rule in force: Toolgate may connect to loopback and to public addresses");
  await expect(form.getByRole("link", { name: "Change it under Outbound connections" })).toHaveAttribute("href", /#outbound-heading$/);

  await form.getByLabel("Issuer URL").fill(idp.issuer);
  await form.getByRole("button", { name: "Register issuer" }).click();
  await expect(form.getByRole("status")).toContainText(`Registered ${idp.issuer}`);
  const issuers = page.getByRole("list", { name: "Trusted issuers" });
  const item = issuers.getByRole("listitem", { name: `Issuer ${new URL(idp.issuer).host}` });
  await expect(item).toContainText("enabled");
  await expect(item).toContainText(`${idp.issuer}/jwks`);

  const metadata = (await (await page.request.get("/.well-known/oauth-protected-resource/mcp")).json()) as { authorization_servers: string[] };
  expect(metadata.authorization_servers).toContain(idp.issuer);
});

test("the administrator binds the agent's client: its token lists the agent's tools, an unbound client's gets 403, and an unbound one again after unbinding", async ({ page, browser }) => {
  await signIn(page, e2eAdmin.email, e2eAdmin.password);
  await page.goto("/agents");
  const card = page.getByRole("article", { name: `Agent ${agentName}` });
  const bind = card.getByRole("form", { name: "Bind a client" });
  await bind.getByRole("button", { name: "Bind" }).click();
  await expect(bind.getByLabel("Client id or subject")).toHaveAccessibleDescription(/client id or subject is required/i);
  await bind.getByLabel("Token claim").selectOption("client_id");
  await bind.getByLabel("Client id or subject").fill(bound.clientId);
  await bind.getByRole("button", { name: "Bind" }).click();
  await expect(bind.getByRole("status")).toHaveText(`Bound: tokens with client_id ${bound.clientId} now act as this agent.`);
  await expect(card.getByRole("list", { name: `Token bindings of ${agentName}` })).toContainText(bound.clientId);

  // The connection guide now shows the OAuth way beside the key.
  await card.getByText("Connect this agent").click();
  await expect(card.getByLabel("A token with curl")).toContainText(`resource=${resource}`);
  await expect(card.getByLabel("A TypeScript client with a client-credentials provider (MCP SDK)")).toContainText(`expectedIssuer: "${idp.issuer}"`);

  const tools = await listTools(await idp.token(bound));
  expect(tools.length).toBeGreaterThan(0);
  expect(tools.every((name) => name.startsWith("io.example_scertified__"))).toBe(true);

  const strangerToken = await idp.token(unbound);
  const refused = await fetch(resource, {
    method: "POST",
    headers: { authorization: `Bearer ${strangerToken}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "stranger", version: "1.0.0" } } }),
  });
  expect(refused.status).toBe(403);
  const { error } = (await refused.json()) as { error: { message: string } };
  expect(error.message).toBe(`This client (client_id ${unbound.clientId} from issuer ${idp.issuer}) is not bound to a Toolgate agent; an admin binds it on the Agents page.`);

  // The agent's team owner connects it: the guide shows the OAuth way, but binding stays with administrators.
  const ownerPage = await (await browser.newContext()).newPage();
  await signIn(ownerPage, teamOwner.email, teamOwner.password);
  await ownerPage.goto("/agents");
  const ownerCard = ownerPage.getByRole("article", { name: `Agent ${agentName}` });
  await ownerCard.getByText("Connect this agent").click();
  await expect(ownerCard.getByLabel("A token with curl")).toContainText(`resource=${resource}`);
  await expect(ownerCard.getByRole("form", { name: "Bind a client" })).toHaveCount(0);
  await ownerPage.context().close();

  // Unbinding asks first, then the same client's token is refused like any unbound one.
  const binding = card.getByRole("form", { name: `Unbind ${bound.clientId}` });
  await binding.getByRole("button", { name: "Unbind" }).click();
  await expect(binding.getByRole("alertdialog", { name: `Unbind client_id ${bound.clientId}?` })).toContainText(`no longer act as ${agentName}`);
  await binding.getByRole("button", { name: "Yes, unbind" }).click();
  await expect(card.getByText("No client bound")).toBeVisible();
  await expect.poll(async () => (await fetch(resource, { method: "POST", headers: { authorization: `Bearer ${await idp.token(bound)}`, "content-type": "application/json", accept: "application/json, text/event-stream" }, body: "{}" })).status).toBe(403);
});

test("disabling the issuer asks for a reason and a confirmation; removing it asks too; both pages are accessible at 390 and 1366 px", async ({ page }) => {
  await signIn(page, e2eAdmin.email, e2eAdmin.password);
  await expectAccessible(page, "/admin?tab=identity");
  await expectAccessible(page, "/agents");

  await page.setViewportSize(desktop);
  await page.goto("/admin?tab=identity");
  const name = new URL(idp.issuer).host;
  const item = page.getByRole("listitem", { name: `Issuer ${name}` });
  const disable = item.getByRole("form", { name: `Disable ${name}` });
  await disable.getByRole("button", { name: "Disable issuer" }).click();
  await disable.getByRole("button", { name: "Yes, disable issuer" }).click();
  await expect(disable.getByLabel("Reason for disabling")).toHaveAccessibleDescription(/reason is required/i);
  await disable.getByLabel("Reason for disabling").fill("Rotating to the new tenant.");
  await disable.getByRole("button", { name: "Yes, disable issuer" }).click();
  await expect(item).toContainText("disabled");

  const remove = item.getByRole("form", { name: `Remove ${name}` });
  await remove.getByRole("button", { name: "Remove issuer" }).click();
  await remove.getByRole("button", { name: "Cancel" }).click();
  await expect(item).toBeVisible();
  await remove.getByRole("button", { name: "Remove issuer" }).click();
  await remove.getByRole("button", { name: "Yes, remove issuer" }).click();
  await expect(page.getByText("No issuer yet")).toBeVisible();
});
