import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { expect, test } from "@playwright/test";
import { e2eAdmin, e2ePort } from "../playwright.config";
import { type FixtureServer, startFixtureServer } from "../test/mcp-fixture-server";
import { expectAccessible, expectNoSidewaysScroll, type Person, phone, serverLiveForAgent, setUpTeam, signIn, signOut } from "./helpers";

// Issue #19 item 1, for people: an owner (who is also a reviewer) defines a bundle of two certified tools on
// the Bundles pages and submits it; as its author they are not offered Certify and are told why; another
// reviewer certifies it with a reason; the bundle's page shows the served version and its endpoint; the
// team's agent, granted the entry, lists exactly the bundle's two tools at /mcp/bundles/{name}.

const team = "Bundle Team";
const owner: Person = { email: "bdo@e2e.test", name: "Bo Owner", password: "bo's long password 1", role: "Server owner" };
const reviewer: Person = { email: "bdr@e2e.test", name: "Bea Reviewer", password: "bea's long password", role: "Governance reviewer" };
const stranger: Person = { email: "bds@e2e.test", name: "Sam Stranger", password: "sam's long password", role: "Server owner" };
const serverName = "io.example/bundle-records";
const bundleName = "records-desk";
const agentName = "bundle-bot";

test.describe.configure({ mode: "serial" });

let backend: FixtureServer;
let agentKey = "";
test.beforeAll(async () => {
  backend = await startFixtureServer({ port: e2ePort + 2002 });
});
test.afterAll(async () => {
  await backend?.close();
});




test("set-up: an owner who also reviews, a certified entry in dev, and an agent of the team granted it", async ({ page }) => {
  test.setTimeout(180_000);
  await setUpTeam(page, team, [owner, reviewer], [owner]);
  await setUpTeam(page, "Faraway Team", [stranger]);
  // The owner also reviews, so the bundle's page must refuse their own version rather than lack the role.
  await signIn(page, e2eAdmin.email, e2eAdmin.password);
  await page.goto("/admin");
  await page.getByRole("navigation", { name: "Admin sections" }).getByRole("link", { name: "People", exact: true }).click();
  const row = page.getByTestId(`user-${owner.email}`);
  await row.getByRole("group", { name: "Roles" }).getByLabel("Governance reviewer").check();
  await row.getByRole("button", { name: "Save roles" }).click();
  await expect(row.getByRole("status")).toHaveText(/Saved roles/);
  await signOut(page);

  agentKey = await serverLiveForAgent(page, { owner, reviewer, admin: e2eAdmin }, { name: serverName, title: "Bundle records", purpose: "Records a bundle picks tools from.", team, endpointUrl: backend.url }, agentName);
});

test("the owner creates a bundle of two certified tools and submits it; as its author they cannot certify it", async ({ page }) => {
  await signIn(page, owner.email, owner.password);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Bundles" }).click();
  await expect(page.getByRole("heading", { name: "Bundles", level: 1 })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("link", { name: "New bundle" }).click();
  const form = page.getByRole("form", { name: "New bundle" });
  // Refused with its reason, and what was typed kept.
  await form.getByLabel("Name", { exact: true }).fill("Records Desk");
  await form.getByLabel("Title").fill("Records desk");
  await form.getByRole("button", { name: "Create bundle" }).click();
  await expect(form.getByText(/lower-case letters, digits and hyphens/).first()).toBeVisible();
  await expect(form.getByLabel("Title")).toHaveValue("Records desk");
  await expectAccessible(page);

  await form.getByLabel("Name", { exact: true }).fill(bundleName);
  await form.getByLabel("Team", { exact: true }).selectOption({ label: team });
  const entry = form.getByRole("group", { name: new RegExp(serverName.replace(/[./]/g, "\\$&")) });
  await entry.getByLabel("read_record").check();
  await entry.getByLabel("search_records").check();
  await form.getByRole("button", { name: "Create bundle" }).click();
  await expect(page).toHaveURL(new RegExp(`/bundles/${bundleName}$`));
  await expect(page.getByRole("heading", { name: "Records desk", level: 1 })).toBeVisible();

  // The draft changes freely: a third tool, then back to two.
  const draft = page.getByRole("form", { name: "Save draft" });
  const tools = page.getByRole("list", { name: "Tools of version 1" }).getByRole("listitem");
  await draft.getByLabel("delete_record").check();
  await draft.getByRole("button", { name: "Save draft" }).click();
  await expect(draft.getByRole("status")).toHaveText("Saved draft version 1 with 3 tools.");
  await expect(tools).toHaveCount(3);
  await draft.getByLabel("delete_record").uncheck();
  await draft.getByRole("button", { name: "Save draft" }).click();
  await expect(draft.getByRole("status")).toHaveText("Saved draft version 1 with 2 tools.");
  await expect(tools).toHaveCount(2);
  await expect(draft.getByLabel("delete_record")).not.toBeChecked();
  await expect(draft.getByLabel("read_record")).toBeChecked();

  await page.getByRole("button", { name: "Submit version 1" }).click();
  const version = page.getByRole("article", { name: /Version 1/ });
  await expect(version.getByText("submitted", { exact: true })).toBeVisible();
  await expect(version.getByText("You wrote this version, so you cannot certify or reject it: another reviewer decides.")).toBeVisible();
  await expect(version.getByRole("button", { name: "Certify" })).toHaveCount(0);
  await expect(page.getByText("None yet: agents see no tools here until a reviewer certifies a version.")).toBeVisible();
  await expectAccessible(page);
  await signOut(page);
});

test("another reviewer certifies it with a reason; its page shows the served version and the endpoint", async ({ page, baseURL }) => {
  await signIn(page, reviewer.email, reviewer.password);
  const nav = page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /Bundles/ });
  await expect(nav).toContainText("1 waiting");
  await nav.click();
  await page.getByRole("link", { name: "Records desk" }).click();
  const review = page.getByRole("form", { name: "Review version 1" });
  await review.getByLabel("Reason for your decision").fill("The two read tools the desk needs.");
  await review.getByRole("button", { name: "Certify" }).click();
  // Decided, the version is no longer offered for review.
  await expect(review).toHaveCount(0);
  await expect(page.getByText("Version 1 (2 tools)")).toBeVisible();
  await expect(page.getByText(`${baseURL}/mcp/bundles/${bundleName}`)).toBeVisible();
  const version = page.getByRole("article", { name: /Version 1/ });
  await expect(version.getByText("certified", { exact: true })).toBeVisible();
  await expect(version).toContainText(`Certified by${reviewer.name}`);
  await expect(version).toContainText("The two read tools the desk needs.");
  await expectAccessible(page);
  await signOut(page);
});

test("the team's agent lists exactly the bundle's tools at its endpoint", async ({ baseURL }) => {
  const agent = new Client({ name: "bundle-host", version: "1.0.0" });
  await agent.connect(new StreamableHTTPClientTransport(new URL(`/mcp/bundles/${bundleName}`, baseURL), { requestInit: { headers: { Authorization: `Bearer ${agentKey}` } } }));
  try {
    const { tools } = await agent.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(["read_record", "search_records"]);
  } finally {
    await agent.close();
  }
});

test("an owner of another team neither sees the bundle in the list nor opens its page", async ({ page }) => {
  await signIn(page, stranger.email, stranger.password);
  await page.goto("/bundles");
  await expect(page.getByRole("link", { name: "New bundle" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Records desk" })).toHaveCount(0);
  await page.goto(`/bundles/${bundleName}`);
  await expect(page.getByRole("heading", { name: "Forbidden", level: 1 })).toBeVisible();
  await expect(page.getByText("Records desk")).toHaveCount(0);
  await signOut(page);
});

test("the Bundles pages fit a phone and stay accessible there", async ({ page }) => {
  await page.setViewportSize(phone);
  await signIn(page, owner.email, owner.password);
  for (const path of ["/bundles", "/bundles/new", `/bundles/${bundleName}`]) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expectNoSidewaysScroll(page, path);
    await expectAccessible(page);
  }
});
