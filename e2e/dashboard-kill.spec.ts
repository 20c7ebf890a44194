import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { expect, type Locator, type Page, test } from "@playwright/test";
import { e2eAdmin } from "../playwright.config";
import { certifyWaivingChecks, createAgentWithKey, openEntry, type Person, registerServerByApi, requestPromotion, serverEverythingForSpec, setUpTeam, signIn, signOut, submitForReview } from "./helpers";

// Issue #16, items 4, 6 and 7: the dashboard counts every kind of approval waiting; servers and tools
// are stopped from their catalog entry, the global switch asks before it stops everything and shows a banner everywhere;
// the charts group refusals by kind, label tools `server · tool` whole, and keep approval waits out of
// gateway latency.

const team = "Dash Kill Team";
const owner: Person = { email: "dko@e2e.test", name: "Dina Owner", password: "dina's long password", role: "Server owner" };
const reviewer: Person = { email: "dkr@e2e.test", name: "Dirk Reviewer", password: "dirk's long password", role: "Governance reviewer" };
const approver: Person = { email: "dka@e2e.test", name: "Dora Approver", password: "dora's long password", role: "Approver" };
const serverName = "io.example/dash-kill";
const approvalWaitMs = 3_000;

test.describe.configure({ mode: "serial" });
const everything = serverEverythingForSpec();


/** A latency tile's text ("12 ms", "1.3 s") in milliseconds. */
const asMs = (text: string) => Number.parseFloat(text) * (text.endsWith(" s") ? 1000 : 1);
const tileValue = async (page: Page, testId: string) => (await page.getByTestId(`${testId}-value`).textContent())!.trim();
const headingCount = async (page: Page, name: RegExp) => Number(/\((\d+)\)/.exec((await page.getByRole("heading", { name }).textContent())!)![1]);
// Recharts draws axis labels in a layer of their own, outside the axis group.
const axisLabels = (chart: Locator) => chart.locator(".recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value");

/** Certifies the server with every failing check waived, then asks for prod: a promotion waits for an approver. */
async function certifyAndRequestProd(page: Page) {
  await signIn(page, owner.email, owner.password);
  await registerServerByApi(page, { name: serverName, title: "Dashboard and kill switches", purpose: "Traffic for the dashboard.", team, endpointUrl: everything.url });
  await openEntry(page, serverName, "Review & promotion");
  await submitForReview(page, owner.email);
  await signOut(page);

  await signIn(page, reviewer.email, reviewer.password);
  await openEntry(page, serverName, "Review & promotion");
  await certifyWaivingChecks(page, "Trial server for the dashboard; checks waived.");
  await signOut(page);

  await signIn(page, owner.email, owner.password);
  await openEntry(page, serverName, "Review & promotion");
  await requestPromotion(page, "prod", { rollout: "Everyone at once.", rollback: "Re-pin the previous version.", killSwitch: "Engage the server switch." });
  await signOut(page);
}

test("set-up: the team and its people; a certified server waiting for promotion to prod", async ({ page }) => {
  await setUpTeam(page, team, [owner, reviewer, approver], [owner]);
  await certifyAndRequestProd(page);
});

test("item 4: Pending approvals counts a prod promotion waiting in the inbox, like the inbox does", async ({ page }) => {
  await signIn(page, approver.email, approver.password);
  await page.goto("/approvals");
  await expect(page.getByRole("article", { name: `Promotion of ${serverName} 1.0.0 to prod` })).toBeVisible();
  const waiting =
    (await headingCount(page, /^Tool calls waiting/)) + (await headingCount(page, /^Promotions waiting/)) + (await headingCount(page, /^Pending access grants/));
  expect(waiting).toBeGreaterThanOrEqual(1);
  await page.goto("/");
  expect(Number(await tileValue(page, "stat-pending-approvals"))).toBe(waiting);
  await expect(page.getByTestId("stat-pending-approvals")).toContainText("1 promotion");
});

test("item 6: servers and tools are stopped from their entry; the global switch asks before it stops everything and shows a banner on every page", async ({ page }) => {
  await signIn(page, e2eAdmin.email, e2eAdmin.password);
  await openEntry(page, serverName, "Review & promotion");
  const panel = page.getByRole("region", { name: "Kill switches" });
  const engage = panel.getByRole("form", { name: "Engage kill switch" });

  await engage.getByLabel("This server, every version").check();
  await engage.getByLabel("Reason for stopping").fill("Vendor incident under investigation.");
  await engage.getByRole("button", { name: "Stop" }).click();
  const engaged = panel.getByRole("list", { name: "Engaged kill switches" });
  await expect(engaged).toContainText(`Stops server ${serverName}`);
  await expect(page.getByTestId("kill-switch-badge")).toContainText("Vendor incident");
  const serverSwitch = engaged.getByRole("listitem").filter({ hasText: `Stops server ${serverName}` });
  await serverSwitch.getByLabel("Reason for clearing").fill("Vendor fixed it.");
  await serverSwitch.getByRole("button", { name: "Clear" }).click();
  await expect(panel.getByText(`Stops server ${serverName}`)).toHaveCount(0);

  await engage.getByLabel("One tool").check();
  await engage.getByRole("combobox", { name: /^Tool/ }).selectOption("get-sum");
  await engage.getByLabel("Reason for stopping").fill("Sums are wrong today.");
  await panel.screenshot({ path: "test-results/entry-kill-switches-1366.png" });
  await page.setViewportSize({ width: 390, height: 800 });
  await panel.screenshot({ path: "test-results/entry-kill-switches-390.png" });
  await page.setViewportSize({ width: 1366, height: 800 });
  await engage.getByRole("button", { name: "Stop" }).click();
  await expect(engaged).toContainText(`Stops tool get-sum of ${serverName} (every version)`);

  // The global switch: nothing happens until the confirmation.
  await page.goto("/kill-switches");
  const global = page.getByRole("form", { name: "Engage kill switch" });
  await global.getByLabel("Reason for stopping").fill("Incident 16: stop everything.");
  await global.getByRole("button", { name: "Stop every tool call" }).click();
  const confirm = page.getByRole("alertdialog", { name: "Stop every tool call?" });
  await expect(confirm).toBeVisible();
  await page.screenshot({ path: "test-results/global-confirm-1366.png" });
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByText("Stops every tool call")).toHaveCount(0);
  await global.getByRole("button", { name: "Stop every tool call" }).click();
  await confirm.getByRole("button", { name: "Yes, stop every tool call" }).click();
  await expect(page.getByText("Stops every tool call")).toBeVisible();

  const banner = page.getByTestId("global-kill-banner");
  for (const path of ["/", "/catalog", "/approvals"]) {
    await page.goto(path);
    await expect(banner).toContainText("Every tool call is stopped");
    await expect(banner).toContainText("Incident 16: stop everything.");
  }
  await page.screenshot({ path: "test-results/global-banner-1366.png" });
  await page.setViewportSize({ width: 390, height: 800 });
  await expect(banner).toBeVisible();
  await page.screenshot({ path: "test-results/global-banner-390.png" });
  await page.setViewportSize({ width: 1366, height: 800 });

  await page.goto("/kill-switches");
  const globalSwitch = page.getByRole("listitem").filter({ hasText: "Stops every tool call" });
  await globalSwitch.getByLabel("Reason for clearing").fill("Incident over.");
  await globalSwitch.getByRole("button", { name: "Clear" }).click();
  await expect(banner).toHaveCount(0);
  await page.goto("/");
  await expect(banner).toHaveCount(0);

  // The tool switch, listed here too, is cleared for the next test.
  await page.goto("/kill-switches");
  const toolSwitch = page.getByRole("listitem").filter({ hasText: "Stops tool get-sum" });
  await toolSwitch.getByLabel("Reason for clearing").fill("Sums fixed.");
  await toolSwitch.getByRole("button", { name: "Clear" }).click();
  await expect(toolSwitch).toHaveCount(0);
});

test("item 7: refusals grouped by kind, tools labelled `server · tool` whole, approval waits apart from gateway latency", async ({ page, browser, baseURL }) => {
  const approverPage = await (await browser.newContext()).newPage();
  await signIn(approverPage, approver.email, approver.password);
  await approverPage.goto("/approvals");
  const promotion = approverPage.getByRole("article", { name: `Promotion of ${serverName} 1.0.0 to prod` });
  await promotion.getByLabel("Reason").fill("Fine for the trial.");
  await promotion.getByRole("button", { name: "Approve" }).click();
  await expect(promotion).toHaveCount(0);

  await signIn(page, e2eAdmin.email, e2eAdmin.password);
  const key = await createAgentWithKey(page, { name: "dash-kill-bot", team, environment: "prod" });
  const agentCard = page.getByRole("article", { name: "Agent dash-kill-bot" });
  const grantForm = agentCard.getByRole("form", { name: "Grant access" });
  await grantForm.getByLabel("Server").selectOption({ label: `${serverName} (low risk)` });
  await grantForm.getByRole("button", { name: "Grant access" }).click();
  await expect(agentCard.getByRole("table", { name: "Grants of dash-kill-bot" })).toContainText("active");

  const agent = new Client({ name: "dash-kill-host", version: "1.0.0" });
  await agent.connect(new StreamableHTTPClientTransport(new URL("/mcp", baseURL), { requestInit: { headers: { Authorization: `Bearer ${key}` } } }));
  const { tools } = await agent.listTools();
  const echo = tools.find((t) => t.name.endsWith("__echo"))!.name;
  const exposed = (tool: string) => echo.replace(/__echo$/, `__${tool}`);
  // Two unknown tools and two calls with bad arguments: four different messages, two kinds of refusal.
  for (const name of [exposed("nope"), exposed("nothing")]) {
    await expect(agent.callTool({ name, arguments: {} })).rejects.toThrow(/no such tool/);
  }
  for (const args of [{ a: "one", b: 2 }, { a: 1 }]) {
    expect((await agent.callTool({ name: exposed("get-sum"), arguments: args })).isError).toBe(true);
  }
  expect((await agent.callTool({ name: exposed("echo"), arguments: { message: "hi" } })).isError ?? false).toBe(false);

  // A call that waits for a person a few seconds before it is approved.
  const gated = tools.find((tool) => tool.name === exposed("toggle-simulated-logging"));
  expect(gated?._meta?.["io.toolgate/tool"]).toMatchObject({ requiresApproval: true });
  const call = agent.callTool({ name: gated!.name, arguments: {} }, undefined, { timeout: 120_000 });
  const waiting = approverPage.getByTestId("tool-call-request");
  await expect(waiting).toHaveCount(1, { timeout: 15_000 });
  await approverPage.waitForTimeout(approvalWaitMs);
  await waiting.getByLabel("Reason").fill("Fine.");
  await waiting.getByRole("button", { name: "Approve" }).click();
  await call;
  await agent.close();

  await page.goto("/?range=hour");
  // The gateway writes its audit in batches.
  await expect(async () => {
    await page.reload();
    expect(Number(await tileValue(page, "stat-calls"))).toBeGreaterThanOrEqual(6);
  }).toPass({ timeout: 15_000 });

  const refusals = page.getByTestId("chart-refusals");
  await expect(axisLabels(refusals).first()).toBeVisible();
  await expect(axisLabels(page.getByTestId("chart-top-tools")).first()).toBeVisible();
  const refusalLabels = await axisLabels(refusals).allTextContents();
  expect(refusalLabels).toEqual(expect.arrayContaining(["Unknown tool", "Invalid arguments"]));
  // One bar per kind, whatever other specs refused meanwhile: no sentence with a name or an id of its own.
  expect(new Set(refusalLabels).size).toBe(refusalLabels.length);
  expect(refusalLabels.filter((label) => /\d|no such tool|:/.test(label))).toEqual([]);

  const toolLabels = await axisLabels(page.getByTestId("chart-top-tools")).allTextContents();
  expect(toolLabels).toContain(`${serverName} · echo`);
  expect(toolLabels.some((label) => label.endsWith(" · toggle-simulated-logging"))).toBe(true);
  expect(new Set(toolLabels).size).toBe(toolLabels.length);
  const chartBox = (await page.getByTestId("chart-top-tools").locator(".recharts-wrapper").first().boundingBox())!;
  for (const label of await axisLabels(page.getByTestId("chart-top-tools")).all()) {
    expect((await label.boundingBox())!.x).toBeGreaterThanOrEqual(chartBox.x);
  }

  // Gateway latency leaves out the wait for a person, which has a tile of its own.
  // Below the wait, whatever the machine's load: a p95 that counted the wait would be at least that long.
  expect(asMs(await tileValue(page, "stat-p95"))).toBeLessThan(approvalWaitMs);
  const wait = await tileValue(page, "stat-approval-wait");
  expect(wait).toMatch(/ s$/);
  expect(Number.parseFloat(wait)).toBeGreaterThanOrEqual(approvalWaitMs / 1000);

  await page.setViewportSize({ width: 390, height: 900 });
  await page.screenshot({ path: "test-results/dashboard-390.png", fullPage: true });
  await page.setViewportSize({ width: 1366, height: 900 });
  await page.screenshot({ path: "test-results/dashboard-1366.png", fullPage: true });
});
