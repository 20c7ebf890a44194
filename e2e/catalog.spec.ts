import { expect, test } from "@playwright/test";
import { e2eAdmin } from "../playwright.config";
import { createTeam, createUser, joinTeam, serverEverythingForSpec, signIn, signOut } from "./helpers";

const team = "Platform Tools";
const owner = { email: "olive@e2e.test", name: "Olive Owner", password: "olive's long password", role: "Server owner" };
const reviewer = { email: "remy@e2e.test", name: "Remy Reviewer", password: "remy's long password", role: "Governance reviewer" };
const serverName = "io.example/everything";

test.describe.configure({ mode: "serial" });
const everything = serverEverythingForSpec();


test("the administrator creates a team, an owner in it and a reviewer", async ({ page }) => {
  await signIn(page, e2eAdmin.email, e2eAdmin.password);
  await page.goto("/admin");
  await createTeam(page, team);
  // Other specs (agents) may have made teams before this one.
  await expect(page.getByRole("heading", { name: /^Teams \(\d+\)$/ })).toBeVisible();
  await expect(page.getByRole("list", { name: "Teams" })).toContainText(team);

  await createUser(page, owner);
  await createUser(page, reviewer);
  await joinTeam(page, owner.email, team);
  await page.reload();
  await expect(page.getByTestId(`user-${owner.email}`).getByRole("group", { name: "Teams" }).getByLabel(team)).toBeChecked();
  await signOut(page);
});

test("the owner imports server-everything's tools in the wizard and saves a draft", async ({ page }) => {
  await signIn(page, owner.email, owner.password);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Catalog" }).click();
  await page.getByRole("link", { name: "Register a server" }).click();

  const connect = page.getByRole("form", { name: "Import from server" });
  await connect.getByLabel("Streamable HTTP URL").fill(everything.url);
  await connect.getByRole("button", { name: "Import" }).click();
  await expect(page.getByRole("status")).toContainText("tools from mcp-servers/everything 2.0.0");
  const echo = page.getByTestId("tool-echo");
  await expect(echo).toContainText("Echoes back the input string");
  await expect(echo).toContainText("read-only");
  await expect(echo).toContainText(/sha256 [0-9a-f]{64}/);

  const form = page.getByRole("form", { name: "Register server" });
  await expect(form.getByLabel("Title")).toHaveValue("Everything Reference Server");
  await expect(form.getByLabel("Version", { exact: true })).toHaveValue("1.0.0");
  // Tools that do not promise to be read-only need an approval in prod unless the owner says otherwise.
  const prodApprovals = form.getByRole("group", { name: "Needs approval in prod" });
  await expect(prodApprovals.getByLabel("gzip-file-as-resource")).toBeChecked();
  await expect(prodApprovals.getByLabel("echo", { exact: true })).not.toBeChecked();

  await form.getByRole("button", { name: "Save draft" }).click();
  await expect(form.getByLabel("Name", { exact: true })).toHaveAccessibleDescription(/Name is required/);
  await expect(form).toContainText("Purpose is required.");
  await expect(form).toContainText("Choose at least one environment.");

  await form.getByLabel("Name", { exact: true }).fill(serverName);
  await form.getByLabel("Purpose").fill("Exercises every MCP feature so agents can be tested end to end.");
  await form.getByRole("group", { name: "Environments" }).getByLabel("dev").check();
  await form.getByRole("group", { name: "Environments" }).getByLabel("prod").check();
  await form.getByLabel("Data classification").selectOption("internal");
  await form.getByLabel(/Sensitive fields/).fill("message, customer.email");
  await form.getByLabel("Threat model").fill("Prompt injection through echoed content.");
  await form.getByLabel("Mitigations").fill("Runs without network access.");
  await form.getByLabel(/Dependencies/).fill("@modelcontextprotocol/sdk@1.29.0");
  await form.getByRole("button", { name: "Save draft" }).click();

  await expect(page).toHaveURL(/\/catalog\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name: "Everything Reference Server" })).toBeVisible();
  await expect(page.getByRole("main")).toContainText(serverName);
  await expect(page.getByRole("main")).toContainText(everything.url);
  await expect(page.getByRole("main")).toContainText(`${owner.name} <${owner.email}>`);

  await page.getByRole("link", { name: "Risk & data handling" }).click();
  await expect(page.getByRole("main")).toContainText("Prompt injection through echoed content.");
  await expect(page.getByRole("main")).toContainText("gzip-file-as-resource");
  await expect(page.getByRole("main")).toContainText("Runs without network access.");

  await page.getByRole("link", { name: "Edit" }).click();
  const edit = page.getByRole("form", { name: "Edit server" });
  await expect(edit.getByLabel("Purpose")).toHaveValue(/Exercises every MCP feature/);
  await edit.getByLabel("Purpose").fill("Exercises every MCP feature for end-to-end tests.");
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("main")).toContainText("Exercises every MCP feature for end-to-end tests.");

  await page.getByRole("link", { name: "Versions" }).click();
  const importForm = page.getByRole("form", { name: "Import new version" });
  await importForm.getByLabel("Version", { exact: true }).fill("1.0.0");
  await importForm.getByRole("button", { name: "Import version" }).click();
  await expect(importForm.getByRole("alert")).toHaveText("Version 1.0.0 must be greater than the latest version, 1.0.0.");
  await importForm.getByLabel("Version", { exact: true }).fill("1.1.0");
  await importForm.getByRole("button", { name: "Import version" }).click();
  await expect(importForm.getByRole("status")).toHaveText("Imported version 1.1.0 as a draft.");
  await expect(page.getByRole("region", { name: "Changes in 1.1.0" })).toContainText("No tool changed.");
  await page.getByRole("table", { name: "Versions" }).getByRole("link", { name: "1.0.0" }).click();
  await expect(page.getByRole("region", { name: "Changes in 1.0.0" })).toContainText("1.0.0 is the first version");
  await signOut(page);
});

test("the wizard refuses a cloud metadata address with a clear message", async ({ page }) => {
  await signIn(page, owner.email, owner.password);
  await page.goto("/catalog/new");
  const connect = page.getByRole("form", { name: "Import from server" });
  await connect.getByRole("button", { name: "Import" }).click();
  await expect(connect).toContainText("URL is required.");
  await connect.getByLabel("Streamable HTTP URL").fill("http://169.254.169.254/");
  await connect.getByRole("button", { name: "Import" }).click();
  await expect(connect.getByRole("alert")).toContainText("link-local address (169.254.169.254), which Toolgate does not connect to");
  await expect(page.getByRole("form", { name: "Register server" })).toHaveCount(0);
  await signOut(page);
});

test("the reviewer finds the server by a word from a tool description and reads its tools", async ({ page }) => {
  await signIn(page, reviewer.email, reviewer.password);
  await page.goto("/catalog");
  await expect(page.getByRole("link", { name: "Register a server" })).toHaveCount(0);
  const search = page.getByRole("search", { name: "Search the catalog" });
  await search.getByLabel("Search", { exact: true }).fill("compresses");
  await search.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/q=compresses/);
  const results = page.getByRole("table", { name: "Catalog entries" });
  await expect(results.getByRole("row")).toHaveCount(2);
  await expect(results).toContainText(team);

  await search.getByLabel("Search", { exact: true }).fill("no-such-word-anywhere");
  await search.getByRole("button", { name: "Search" }).click();
  await expect(page.getByText("No server matches this search.")).toBeVisible();
  await page.goto("/catalog?status=bogus");
  await expect(page.getByRole("main").getByRole("alert")).toContainText("Unknown status.");

  await page.goto("/catalog?q=compresses");
  await page.getByRole("link", { name: serverName }).click();
  await expect(page.getByRole("link", { name: "Edit" })).toHaveCount(0);
  await page.getByRole("navigation", { name: "Entry sections" }).getByRole("link", { name: "Tools" }).click();
  const echo = page.getByTestId("tool-echo");
  await expect(echo).toContainText("Echo Tool");
  await expect(echo.getByText("Input schema")).toBeVisible();
  // The schema reads as its parameters; its JSON is folded away until asked for.
  await expect(echo.getByRole("list", { name: "Input schema parameters" })).toContainText("message: string (required)");
  await expect(echo.locator("pre").first()).toBeHidden();
  await echo.getByText("JSON").first().click();
  await expect(echo.locator("pre").first()).toContainText('"message"');
  await expect(page.getByRole("heading", { name: /Resources \(\d+\)/ })).toBeVisible();

  await page.getByRole("link", { name: "History" }).click();
  await expect(page.getByRole("cell", { name: "server.register" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "server.version.import" })).toBeVisible();
  const missing = await page.goto("/catalog/not-a-uuid");
  expect(missing?.status()).toBe(404);
  await page.goto("/catalog");
  await signOut(page);
});

test("the JSON catalog API answers the same questions, and refuses bad input clearly", async ({ page, request }) => {
  const anonymous = await request.get("/api/v1/servers");
  expect(anonymous.status()).toBe(401);
  const openapi = await request.get("/api/v1/openapi.json");
  expect(openapi.ok()).toBe(true);
  expect(Object.keys((await openapi.json()).paths)).toEqual(expect.arrayContaining(["/api/v1/servers", "/api/v1/servers/{id}/versions"]));

  await signIn(page, reviewer.email, reviewer.password);
  const api = page.request;
  const list = await (await api.get("/api/v1/servers?q=compresses")).json();
  expect(list.servers.map((s: { name: string }) => s.name)).toEqual([serverName]);
  const [{ id }] = list.servers;
  const entry = await (await api.get(`/api/v1/servers/${id}`)).json();
  expect(entry).toMatchObject({ name: serverName, team: { name: team } });
  expect(entry.versions.map((v: { version: string }) => v.version)).toEqual(["1.1.0", "1.0.0"]);
  const version = await (await api.get(`/api/v1/servers/${id}/versions/1.0.0`)).json();
  expect(version.tools.find((t: { name: string }) => t.name === "echo").definitionHash).toMatch(/^[0-9a-f]{64}$/);

  expect((await api.get("/api/v1/servers?status=bogus")).status()).toBe(400);
  expect((await api.get("/api/v1/servers/not-a-uuid")).status()).toBe(400);
  expect((await api.get(`/api/v1/servers/${id}/versions/9.9.9`)).status()).toBe(404);
  const notJson = await api.post("/api/v1/servers", { headers: { "content-type": "application/json" }, data: Buffer.from("{nope") });
  expect(notJson.status(), await notJson.text()).toBe(400);
  expect((await notJson.json()).error).toMatch(/not valid JSON/);
  const reviewerRegisters = await api.post("/api/v1/servers", { data: { name: "com.example/x" } });
  expect(reviewerRegisters.status()).toBe(403);
  const forbidden = await api.post(`/api/v1/servers/${id}/versions`, { data: { version: "2.0.0" } });
  expect(forbidden.status()).toBe(403);
  expect((await forbidden.json()).error).toMatch(/not allowed/);
});
