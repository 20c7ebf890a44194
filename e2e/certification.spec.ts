import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { expect, type Page, test } from "@playwright/test";
import { e2eAdmin } from "../playwright.config";
import { createAgentWithKey, openEntry, type Person, registerServerByApi, requestPromotion, serverEverythingForSpec, setUpTeam, signIn, signOut } from "./helpers";

const team = "Certification Team";
const owner: Person = { email: "cora@e2e.test", name: "Cora Owner", password: "cora's long password", role: "Server owner" };
const reviewer: Person = { email: "rex@e2e.test", name: "Rex Reviewer", password: "rex's long password", role: "Governance reviewer" };
const approver: Person = { email: "abe@e2e.test", name: "Abe Approver", password: "abe's long password", role: "Approver" };
const serverName = "io.example/certified";
const fixture = (name: string) => path.join(import.meta.dirname, "../test/fixtures/evidence", name);

test.describe.configure({ mode: "serial" });
const everything = serverEverythingForSpec();
/** cert-bot's key, once the administrator made it. */
let agentKey = "";


/** A test of one person's steps: they sign in first and sign out at the end. */
function testAs(person: Person, title: string, steps: (page: Page) => Promise<void>) {
  test(title, async ({ page }) => {
    await signIn(page, person.email, person.password);
    await steps(page);
    await signOut(page);
  });
}

type Form = ReturnType<Page["getByRole"]>;

async function addEvidence(page: Page, kind: string, fill: (form: Form) => Promise<void>, title = `${kind} ${Date.now()}`) {
  const form = page.getByRole("form", { name: "Add evidence" });
  await form.getByLabel("Kind").selectOption({ label: kind });
  await form.getByLabel("Title (optional)").fill(title);
  await fill(form);
  await form.getByRole("button", { name: "Add evidence" }).click();
  return { form, added: () => expect(form.getByRole("status")).toHaveText(`Added “${title}”.`) };
}

test("the administrator sets up a team, an owner, a reviewer and an approver", async ({ page }) => {
  await setUpTeam(page, team, [owner, reviewer, approver], [owner]);
});

testAs(owner, "the owner registers a server through the API, uploads evidence and submits it", async (page) => {
  await registerServerByApi(page, {
    name: serverName,
    title: "Certified everything",
    purpose: "The reference server, certified for agents.",
    team,
    endpointUrl: everything.url,
  });

  await openEntry(page, serverName, "Evidence");
  await expect(page.getByTestId("check-quality")).toContainText("fails");

  const spdx = await addEvidence(page, "SBOM", (f) => f.getByLabel("File").setInputFiles(fixture("sbom-spdx.json")));
  await expect(spdx.form.getByLabel("File")).toHaveAccessibleDescription(/not a CycloneDX JSON document/);
  const wordScore = await addEvidence(page, "Eval result", async (f) => {
    await f.getByLabel("Metric").fill("accuracy");
    await f.getByLabel("Score").fill("high");
    await f.getByLabel("Threshold").fill("0.8");
  });
  await expect(wordScore.form).toContainText("Score must be a number.");

  const evidence: [string, (form: Form) => Promise<void>][] = [
    [
      "Eval result",
      async (f) => {
        await f.getByLabel("Metric").fill("accuracy");
        await f.getByLabel("Score").fill("0.93");
        await f.getByLabel("Threshold").fill("0.8");
      },
    ],
    [
      "Red-team report",
      async (f) => {
        await f.getByLabel("Outcome").selectOption("pass");
        await f.getByLabel("Summary").fill("500 adversarial prompts; none succeeded.");
      },
    ],
    ["Security scan", (f) => f.getByLabel("File").setInputFiles(fixture("sarif-clean.json"))],
    ["SBOM", (f) => f.getByLabel("File").setInputFiles(fixture("sbom-cyclonedx.json"))],
  ];
  for (const [kind, fill] of evidence) await (await addEvidence(page, kind, fill)).added();
  await page.reload();
  for (const check of ["quality", "safety", "compliance", "security"]) await expect(page.getByTestId(`check-${check}`)).toContainText("passes");
  await expect(page.getByRole("link", { name: "Download" }).first()).toBeVisible();

  await page.getByRole("navigation", { name: "Entry sections" }).getByRole("link", { name: "Review & promotion" }).click();
  await page.getByRole("button", { name: "Submit for review" }).click();
  await expect(page.getByRole("table", { name: "Lifecycle steps" })).toContainText(owner.email);
});

testAs(reviewer, "the reviewer claims it from the queue and certifies it", async (page) => {
  await page.goto("/reviews");
  const row = page.getByTestId(`review-${serverName}`);
  await expect(row).toContainText("submitted");
  await row.getByRole("button", { name: "Claim" }).click();
  // Claim opens the version's review (#16 "Guide the work").
  await expect(page).toHaveURL(/\?tab=review&v=1\.0\.0$/);

  const decision = page.getByRole("form", { name: "Review decision" });
  await decision.getByRole("button", { name: "Certify" }).click();
  await expect(decision.getByLabel("Reason")).toHaveAttribute("aria-invalid", "true");
  await decision.getByLabel("Reason").fill("Evidence complete; destructive tools need approval.");
  await decision.getByLabel("Risk tier").selectOption("high");
  await decision.getByRole("button", { name: "Certify" }).click();
  await expect(page.getByTestId("manifest-signature")).toContainText("Signature verified");
});

testAs(owner, "the owner asks to promote it to prod", async (page) => {
  await openEntry(page, serverName, "Review & promotion");
  await requestPromotion(page, "prod", {
    rollout: "Canary to one agent for a day, then everyone.",
    rollback: "Re-pin the previous version; no data migration.",
    killSwitch: "Reviewer on call engages the server switch.",
  });
});

testAs(approver, "the approver approves the promotion in the inbox; the entry shows certified, promoted and verified", async (page) => {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Approvals" }).click();
  const request = page.getByRole("article", { name: `Promotion of ${serverName} 1.0.0 to prod` });
  await request.getByRole("button", { name: "Approve" }).click();
  await expect(request.getByLabel("Reason")).toHaveAttribute("aria-invalid", "true");
  await request.getByLabel("Reason").fill("Plans are sound and the evidence is complete.");
  await request.getByRole("button", { name: "Approve" }).click();
  await expect(page.getByRole("article", { name: `Promotion of ${serverName} 1.0.0 to prod` })).toHaveCount(0);

  await openEntry(page, serverName, "Review & promotion");
  await expect(page.getByText("certified", { exact: true }).first()).toBeVisible();
  await expect(page.getByTestId("pin-prod")).toContainText("1.0.0");
  await expect(page.getByTestId("manifest-signature")).toContainText("Signature verified");
  await page.getByTestId("manifest-signature").getByRole("link", { name: "Verify" }).click();
  await expect(page.getByText(/Signature valid/)).toBeVisible();
  await page.goto("/catalog");
});

test("an agent granted the certified server finds it in the registry with its key, after an approver allows the grant", async ({ page, request }) => {
  await signIn(page, e2eAdmin.email, e2eAdmin.password);
  const key = await createAgentWithKey(page, { name: "cert-bot", team, environment: "prod" });
  agentKey = key;
  const agent = page.getByRole("article", { name: "Agent cert-bot" });
  const grantForm = agent.getByRole("form", { name: "Grant access" });
  await grantForm.getByLabel("Server").selectOption({ label: `${serverName} (high risk)` });
  await grantForm.getByRole("button", { name: "Grant access" }).click();
  await expect(agent.getByRole("table", { name: "Grants of cert-bot" })).toContainText("pending");
  await signOut(page);

  const registry = (query: string, token?: string) =>
    request.get(`/v0.1/servers${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  expect((await registry("")).status()).toBe(401);
  const beforeApproval = await (await registry("?granted=true", key)).json();
  expect(beforeApproval.servers).toEqual([]);

  await signIn(page, approver.email, approver.password);
  await page.goto("/approvals");
  const access = page.getByRole("article", { name: `Access for cert-bot to ${serverName}` });
  await access.getByLabel("Reason").fill("Support needs it; the server is certified.");
  await access.getByRole("button", { name: "Approve" }).click();
  await expect(access).toHaveCount(0);
  await signOut(page);

  const listed = await registry("?granted=true", key);
  expect(listed.status()).toBe(200);
  expect(listed.headers()["access-control-allow-origin"]).toBe("*");
  const body = await listed.json();
  expect(body.servers.map((entry: { server: { name: string } }) => entry.server.name)).toEqual([serverName]);
  const [{ server, _meta }] = body.servers;
  expect(server.remotes[0].url).toMatch(/\/mcp\/servers\/[^/]+$/);
  expect(server.remotes[0].url).not.toContain(everything.url);
  expect(_meta["io.toolgate/governance"]).toMatchObject({ riskTier: "high" });
});

test("a high-risk call waits for a person: the approver sees it appear live and approves it, the call returns the backend's result, and the audit trail shows it all with an intact chain", async ({ browser, baseURL }) => {
  const approverPage = await (await browser.newContext()).newPage();
  await signIn(approverPage, approver.email, approver.password);
  await approverPage.goto("/approvals");
  const waiting = approverPage.getByTestId("tool-call-request");
  await expect(waiting).toHaveCount(0);

  const agent = new Client({ name: "cert-bot-host", version: "1.0.0" });
  await agent.connect(new StreamableHTTPClientTransport(new URL("/mcp", baseURL), { requestInit: { headers: { Authorization: `Bearer ${agentKey}` } } }));
  const { tools } = await agent.listTools();
  const gated = tools.find((tool) => tool.name.endsWith("__toggle-simulated-logging"))!;
  expect(gated._meta?.["io.toolgate/tool"]).toMatchObject({ requiresApproval: true });
  const progress: string[] = [];
  const call = agent.callTool({ name: gated.name, arguments: {} }, undefined, {
    onprogress: (update) => progress.push(update.message ?? ""),
    timeout: 120_000,
    resetTimeoutOnProgress: true,
  });

  // No reload: the inbox refreshes itself.
  await expect(waiting).toHaveCount(1, { timeout: 15_000 });
  await expect(waiting).toContainText("toggle-simulated-logging");
  await expect(waiting).toContainText("cert-bot (prod)");
  await expect(waiting).toContainText(/s left/);
  await waiting.getByLabel("Reason").fill("Toggling simulated logging is harmless.");
  await waiting.getByRole("button", { name: "Approve" }).click();

  const result = await call;
  expect(result.isError ?? false).toBe(false);
  expect(JSON.stringify(result.content)).toMatch(/logging/i);
  expect(progress[0]).toMatch(/Waiting for approval/);
  await agent.close();
  await expect(waiting).toHaveCount(0);
  await expect(approverPage.getByTestId("tool-call-history-row").first()).toContainText("used");

  const auditorPage = await (await browser.newContext()).newPage();
  await signIn(auditorPage, e2eAdmin.email, e2eAdmin.password);
  await auditorPage.goto("/audit");
  const rows = auditorPage.getByTestId("audit-row");
  for (const action of ["toolcall.approval_request", "toolcall.approve", "gateway.tools/call"]) {
    await expect(rows.filter({ hasText: action }).first()).toBeVisible();
  }
  const verify = auditorPage.getByTestId("verify-chain");
  await verify.getByRole("button", { name: "Verify chain" }).click();
  await expect(verify.getByRole("status")).toContainText(/Chain intact: \d+ events checked/);
});
