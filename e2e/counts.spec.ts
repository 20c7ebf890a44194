import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { expect, type Page, test } from "@playwright/test";
import { e2eAdmin } from "../playwright.config";
import { certifyWaivingChecks, createAgentWithKey, openEntry, type Person, phone, registerServerByApi, requestPromotion, serverEverythingForSpec, setUpTeam, signIn, signOut, submitForReview } from "./helpers";

// Issue #16, "Counts where people look": the main navigation counts what waits for the signed-in
// person (reviews they may act on, approvals of every kind they may decide, open drift); the approver
// sees how long the agent will actually wait for a call; a request whose agent stopped waiting is
// shown apart, with what approving it still does.

const team = "Counts Team";
const owner: Person = { email: "cto@e2e.test", name: "Cora Owner", password: "cora's long password", role: "Server owner" };
const reviewer: Person = { email: "ctr@e2e.test", name: "Cyril Reviewer", password: "cyril's long password", role: "Governance reviewer" };
const approver: Person = { email: "cta@e2e.test", name: "Cleo Approver", password: "cleo's long password", role: "Approver" };
const serverName = "io.example/counts";
const desktop = { width: 1366, height: 900 };

test.describe.configure({ mode: "serial" });
const everything = serverEverythingForSpec();

const nav = (page: Page) => page.getByRole("navigation", { name: "Main" });

/** The Menu button's name: what waits for this person here, plus the open drift incidents other specs left. */
async function menuName(page: Page, waiting: number) {
  const drift = nav(page).getByRole("link", { name: /^Drift/ }).locator(".sr-only");
  const open = (await drift.count()) ? Number.parseInt((await drift.textContent())!.trim(), 10) : 0;
  return waiting + open > 0 ? `Menu ${waiting + open} waiting` : "Menu";
}


test("set-up: the team and its people; a server submitted for review", async ({ page }) => {
  await setUpTeam(page, team, [owner, reviewer, approver], [owner]);
  await signIn(page, owner.email, owner.password);
  await registerServerByApi(page, { name: serverName, title: "Counts", purpose: "Something to count.", team, endpointUrl: everything.url });
  await openEntry(page, serverName, "Review & promotion");
  await submitForReview(page, owner.email);
  await signOut(page);
});

test("item 1: Reviews and Approvals in the navigation count what waits for this person; the phone's Menu button says so", async ({ page }) => {
  // The reviewer may claim the submitted version: one review waits for them.
  await signIn(page, reviewer.email, reviewer.password);
  await expect(nav(page).getByRole("link", { name: "Reviews 1 waiting" })).toBeVisible();
  await expect(nav(page).getByRole("link", { name: /^Drift( \d+ open)?$/ })).toBeVisible();
  const name = await menuName(page, 1);
  await page.setViewportSize(phone);
  await expect(page.getByRole("button", { name, exact: true })).toBeVisible();
  await page.setViewportSize(desktop);

  // Claimed, it still waits for them; certified, it waits no more.
  await openEntry(page, serverName, "Review & promotion");
  await certifyWaivingChecks(page, "Trial server; checks waived.", () => expect(nav(page).getByRole("link", { name: "Reviews 1 waiting" })).toBeVisible());
  await page.goto("/reviews");
  await expect(nav(page).getByRole("link", { name: "Reviews", exact: true })).toBeVisible();
  const noReviewMenu = await menuName(page, 0);
  await page.setViewportSize(phone);
  await expect(page.getByRole("button", { name: noReviewMenu, exact: true })).toBeVisible();
  await page.setViewportSize(desktop);
  await signOut(page);

  await signIn(page, owner.email, owner.password);
  await openEntry(page, serverName, "Review & promotion");
  await requestPromotion(page, "prod", { rollout: "Everyone at once.", rollback: "Re-pin the previous version.", killSwitch: "Engage the server switch." });
  await signOut(page);

  // The approver may decide the promotion; the administrator, who may only look, is not counted on.
  await signIn(page, approver.email, approver.password);
  await expect(nav(page).getByRole("link", { name: "Approvals 1 waiting" })).toBeVisible();
  const approverMenu = await menuName(page, 1);
  await page.setViewportSize(phone);
  const menu = page.getByRole("button", { name: approverMenu, exact: true });
  await expect(menu).toBeVisible();
  await menu.click();
  await expect(nav(page).getByRole("link", { name: "Approvals 1 waiting" })).toBeVisible();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(phone.width);
  await page.screenshot({ path: "test-results/counts-menu-390.png" });
  await page.setViewportSize(desktop);
  await page.screenshot({ path: "test-results/counts-nav-1366.png" });
  await signOut(page);

  await signIn(page, e2eAdmin.email, e2eAdmin.password);
  await expect(nav(page).getByRole("link", { name: "Approvals", exact: true })).toBeVisible();
  await signOut(page);
});

test("items 2 and 3: the approver sees when the agent gives up; a request whose agent stopped waiting is shown apart and still lets the next identical call through", async ({ page, browser, baseURL }) => {
  const approverPage = await (await browser.newContext()).newPage();
  await signIn(approverPage, approver.email, approver.password);
  await approverPage.goto("/approvals");
  const promotion = approverPage.getByRole("article", { name: `Promotion of ${serverName} 1.0.0 to prod` });
  await promotion.getByLabel("Reason").fill("Fine for the trial.");
  await promotion.getByRole("button", { name: "Approve" }).click();
  await expect(promotion).toHaveCount(0);
  await expect(nav(approverPage).getByRole("link", { name: "Approvals", exact: true })).toBeVisible();

  await signIn(page, e2eAdmin.email, e2eAdmin.password);
  const key = await createAgentWithKey(page, { name: "counts-bot", team, environment: "prod" });
  const agentCard = page.getByRole("article", { name: "Agent counts-bot" });
  const grantForm = agentCard.getByRole("form", { name: "Grant access" });
  await grantForm.getByLabel("Server").selectOption({ label: `${serverName} (low risk)` });
  await grantForm.getByRole("button", { name: "Grant access" }).click();
  await expect(agentCard.getByRole("table", { name: "Grants of counts-bot" })).toContainText("active");

  const agent = new Client({ name: "counts-host", version: "1.0.0" });
  await agent.connect(new StreamableHTTPClientTransport(new URL("/mcp", baseURL), { requestInit: { headers: { Authorization: `Bearer ${key}` } } }));
  const { tools } = await agent.listTools();
  const gated = tools.find((tool) => tool.name.endsWith("__toggle-simulated-logging"))!;
  expect(gated._meta?.["io.toolgate/tool"]).toMatchObject({ requiresApproval: true });

  // The agent waits (approvals.waitSeconds, 45 s by default): the approver sees it give up in under a minute.
  const giveUp = new AbortController();
  const call = agent.callTool({ name: gated.name, arguments: {} }, undefined, { timeout: 120_000, signal: giveUp.signal }).catch((error: unknown) => error);
  await approverPage.goto("/approvals");
  const waiting = approverPage.getByRole("region", { name: /^Tool calls waiting/ }).getByTestId("tool-call-request");
  await expect(waiting).toHaveCount(1, { timeout: 15_000 });
  await expect(waiting.getByTestId("agent-wait")).toContainText(/The agent gives up in \d+ s/);
  await expect(waiting.getByTestId("request-expiry")).toContainText(/min/);
  await expect(nav(approverPage).getByRole("link", { name: "Approvals 1 waiting" })).toBeVisible();
  await approverPage.screenshot({ path: "test-results/counts-waiting-1366.png", fullPage: true });

  // The client gives up: the request moves apart, saying what approving it does now.
  giveUp.abort();
  await call;
  const stopped = approverPage.getByRole("region", { name: /^Agent stopped waiting/ }).getByTestId("tool-call-request");
  await expect(async () => {
    await approverPage.reload();
    await expect(stopped).toHaveCount(1, { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await expect(waiting).toHaveCount(0);
  await expect(stopped.getByTestId("agent-wait")).toContainText("The agent stopped waiting; approving now lets its next identical call through until");
  // Still useful, so still counted: the agent's next identical call uses the approval.
  await expect(nav(approverPage).getByRole("link", { name: "Approvals 1 waiting" })).toBeVisible();
  await approverPage.setViewportSize(phone);
  const width = await approverPage.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(phone.width);
  await approverPage.screenshot({ path: "test-results/counts-stopped-390.png", fullPage: true });
  await approverPage.setViewportSize(desktop);

  await stopped.getByLabel("Reason").fill("Fine.");
  await stopped.getByRole("button", { name: "Approve" }).click();
  await expect(stopped).toHaveCount(0);
  await expect(nav(approverPage).getByRole("link", { name: "Approvals", exact: true })).toBeVisible();
  const started = Date.now();
  const again = await agent.callTool({ name: gated.name, arguments: {} }, undefined, { timeout: 30_000 });
  expect(again.isError ?? false).toBe(false);
  expect(Date.now() - started).toBeLessThan(10_000);
  await agent.close();
});
