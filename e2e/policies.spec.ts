import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { expect, type Page, test } from "@playwright/test";
import { e2eAdmin, e2ePort } from "../playwright.config";
import { type FixtureServer, startFixtureServer } from "../test/mcp-fixture-server";
import { expectAccessible, type Person, serverLiveForAgent, setUpTeam, signIn, signOut } from "./helpers";

// Issue #18 phase 2b: policies governed like tools. An administrator who is also an approver writes a
// set in the Cedar editor (a template and a forbid of one tool), proposes it and replays it against the
// calls already made; they cannot approve their own set; another approver approves it; the author
// activates it; the agent's next call of that tool is refused, and the audit trail names the policy.

const team = "Policy Team";
const owner: Person = { email: "plo@e2e.test", name: "Pia Owner", password: "pia's long password", role: "Server owner" };
const reviewer: Person = { email: "plr@e2e.test", name: "Per Reviewer", password: "per's long password", role: "Governance reviewer" };
const approver: Person = { email: "pla@e2e.test", name: "Pam Approver", password: "pam's long password", role: "Approver" };
const author = { email: "pol@e2e.test", name: "Polly Author", password: "polly's long password" };
const serverName = "io.example/policy-records";
const agentName = "policy-bot";
const forbidRead = `@id("no-record-reads")
forbid (principal, action == Toolgate::Action::"tools/call", resource)
when { resource.name == "read_record" };`;

test.describe.configure({ mode: "serial" });

let backend: FixtureServer;
let agentKey = "";
test.beforeAll(async () => {
  backend = await startFixtureServer({ port: e2ePort + 2001 });
});
test.afterAll(async () => {
  await backend?.close();
});



/** The agent's call of read_record: its text on success, the error's message when refused. */
async function readRecord(baseURL: string): Promise<string> {
  const agent = new Client({ name: "policy-host", version: "1.0.0" });
  await agent.connect(new StreamableHTTPClientTransport(new URL("/mcp", baseURL), { requestInit: { headers: { Authorization: `Bearer ${agentKey}` } } }));
  try {
    const { tools } = await agent.listTools();
    const read = tools.find((tool) => tool.name.endsWith("__read_record"))!.name;
    const answer = await agent.callTool({ name: read, arguments: { id: "r1" } });
    return answer.isError ? `error: ${JSON.stringify(answer.content)}` : "ok";
  } catch (error) {
    return `refused: ${(error as Error).message}`;
  } finally {
    await agent.close();
  }
}

/** The CodeMirror editor, once it has replaced the plain textarea. */
const cedarEditor = (page: Page) => page.getByTestId("cedar-editor").getByRole("textbox", { name: "Policies (Cedar)" });

/** Puts text at the end of the Cedar editor as typed text would be (without the editor's bracket closing). */
async function appendToEditor(page: Page, text: string) {
  const editor = cedarEditor(page);
  await editor.click();
  await page.keyboard.press("ControlOrMeta+End");
  await page.keyboard.insertText(text);
}

test("set-up: people, a certified server in dev, and an agent that calls it", async ({ page, baseURL }) => {
  test.setTimeout(180_000);
  await setUpTeam(page, team, [owner, reviewer, approver], [owner]);
  // The author holds both roles, so that the page must refuse their own approval rather than lack the button.
  await signIn(page, e2eAdmin.email, e2eAdmin.password);
  await page.goto("/admin");
  const create = page.getByRole("form", { name: "Create user" });
  await create.getByLabel("Email").fill(author.email);
  await create.getByLabel("Name").fill(author.name);
  await create.getByLabel(/Initial password/).fill(author.password);
  await create.getByLabel("Administrator").check();
  await create.getByLabel("Approver").check();
  await create.getByRole("button", { name: "Create user" }).click();
  await expect(create.getByRole("status")).toHaveText(`Created ${author.email}.`);
  await signOut(page);

  agentKey = await serverLiveForAgent(page, { owner, reviewer, admin: e2eAdmin }, { name: serverName, title: "Policy records", purpose: "Records a policy forbids reading.", team, endpointUrl: backend.url }, agentName);
  // Calls the replay will decide again.
  expect(await readRecord(baseURL!)).toBe("ok");
  expect(await readRecord(baseURL!)).toBe("ok");
});

test("an invalid draft shows its problem with line and column, as the author types and once saved", async ({ page }) => {
  await signIn(page, author.email, author.password);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Policies" }).click();
  await expect(page.getByRole("heading", { name: "Active set" })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("link", { name: "New draft" }).click();
  await expect(cedarEditor(page)).toContainText("granted-tools");
  await appendToEditor(page, `\n\n@id("typo")\nforbid (principal, action, resource) when { resource.nmae == "x" };\n`);
  // Checked by the server after a pause in typing: the list under the editor names the place and the policy.
  const problems = page.getByText(/problem.*cannot be proposed/).locator("..");
  await expect(problems).toContainText(/line \d+:\d+ in typo/);
  await expect(page.locator(".cm-lintRange-error").first()).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: "test-results/policy-editor-problem-1366.png", fullPage: true });

  await page.getByLabel("Description").fill("A typo, to see it caught.");
  await page.getByRole("button", { name: "Save and propose" }).click();
  // Saved as a draft, not proposed: its page shows the problem with its place.
  await expect(page.getByRole("heading", { name: /^Policy set \d+$/ })).toBeVisible();
  await expect(page.getByText("draft", { exact: true })).toBeVisible();
  await expect(page.getByText(/line \d+:\d+ in typo/).first()).toBeVisible();
});

test("the author writes a set from a template and a forbid, proposes it, and cannot approve it", async ({ page }) => {
  await signIn(page, author.email, author.password);
  await page.goto("/policies/new");
  const picker = page.getByRole("group", { name: "Insert a template" });
  await picker.getByLabel("Template").selectOption({ label: "Approval for classified data" });
  await picker.getByLabel("Classification at least").selectOption("restricted");
  await picker.getByRole("button", { name: "Insert template" }).click();
  const editor = cedarEditor(page);
  await expect(editor).toContainText('@id("classified-data-approval-restricted")');
  await appendToEditor(page, `\n${forbidRead}\n`);
  await page.getByLabel("Description").fill("No agent reads records; restricted data needs approval.");
  await page.getByRole("button", { name: "Save draft" }).click();
  await expect(page.getByRole("heading", { name: /^Policy set \d+$/ })).toBeVisible();
  await expect(page.getByText(/problem.*cannot be proposed/)).toHaveCount(0);
  // Changes from the active set, line by line.
  const diff = page.getByRole("region", { name: /^Changes from the active set/ });
  await expect(diff.locator("pre del")).toHaveCount(0);
  await expect(diff.locator("ins").filter({ hasText: '@id("no-record-reads")' })).toHaveCount(1);

  await page.getByRole("button", { name: "Save and propose" }).click();
  await expect(page.getByText("proposed", { exact: true })).toBeVisible();
  await expect(page.getByText("You wrote this set, so you cannot approve or reject it: another approver decides.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Approve" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Reject" })).toHaveCount(0);
  await expect(page.getByRole("textbox", { name: "Policies (Cedar)" })).toHaveCount(0);

  // Replay against the calls made in set-up: the window starts at the oldest audit event a fresh Toolgate holds.
  const replay = page.getByRole("form", { name: "Replay" });
  await replay.getByLabel("Days").fill("1");
  await replay.getByRole("button", { name: "Replay" }).click();
  const report = page.getByRole("table", { name: "Changed calls by agent and tool" });
  await expect(report).toBeVisible({ timeout: 30_000 });
  const row = report.getByRole("row").filter({ hasText: agentName });
  await expect(row).toContainText("read_record");
  await expect(row).toContainText("allow → deny");
  await row.getByRole("link").first().click();
  await expect(page.getByTestId("audit-row")).toHaveCount(1);
  await page.goBack();
  await expectAccessible(page);
  await page.screenshot({ path: "test-results/policy-set-proposed-1366.png", fullPage: true });
  // On a phone the text and its diff wrap, and nothing is wider than the screen.
  await page.setViewportSize({ width: 390, height: 800 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: "test-results/policy-set-proposed-390.png", fullPage: true });
  await page.goto("/policies/new");
  await expect(cedarEditor(page)).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.setViewportSize({ width: 1366, height: 800 });
});

test("another approver runs it in shadow and approves; the author activates; the agent's read is refused and the audit names the policy", async ({ page, baseURL }) => {
  await signIn(page, approver.email, approver.password);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /^Policies/ }).click();
  await page.getByRole("table", { name: "Policy sets" }).getByRole("row").filter({ hasText: "No agent reads records" }).getByRole("link").click();
  // In shadow first: the active set still decides, and the dashboard counts the calls this one would decide otherwise.
  await page.getByRole("button", { name: "Run in shadow" }).click();
  await expect(page.getByText("shadow", { exact: true })).toBeVisible();
  expect(await readRecord(baseURL!)).toBe("ok");
  const setUrl = page.url();
  await page.goto("/");
  await expect(async () => {
    await page.reload();
    await expect(page.getByRole("status").filter({ hasText: "runs in shadow" })).toContainText(/: [1-9]\d* calls? in the last 24 hours/, { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await page.goto(setUrl);
  await page.getByRole("button", { name: "Approve" }).click();
  await expect(page.getByText("approved", { exact: true })).toBeVisible();
  await signOut(page);

  await signIn(page, author.email, author.password);
  await page.goto(setUrl);
  await page.getByRole("button", { name: "Activate" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Yes, activate" }).click();
  await expect(page.getByText("active", { exact: true })).toBeVisible();
  await page.goto("/policies");
  await expect(page.locator("section").filter({ has: page.getByRole("heading", { name: "Active set" }) })).toContainText("No agent reads records");

  // Why: the active set now denies the agent's read, naming the policy.
  const why = page.getByRole("form", { name: "Why" });
  await why.getByLabel("Agent").fill(agentName);
  await why.getByLabel("Server").fill(serverName);
  await why.getByLabel("Tool").fill("read_record");
  await why.getByLabel("Arguments (JSON, optional)").fill('{"id": "r1"}');
  await why.getByRole("button", { name: "Why?" }).click();
  await expect(why.getByTestId("why-answer")).toContainText("deny");
  await expect(why.getByTestId("why-answer")).toContainText("Decided by: no-record-reads");
  await expectAccessible(page);
  await page.screenshot({ path: "test-results/policies-why-1366.png", fullPage: true });

  // The gateway swaps its compiled set on the change's notification.
  await expect(async () => expect(await readRecord(baseURL!)).toMatch(/^refused: .*no-record-reads/)).toPass({ timeout: 15_000 });
  await page.goto("/audit?action=gateway.tools/call&outcome=denied");
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId("audit-row").filter({ hasText: "no-record-reads" }).first()).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
});
