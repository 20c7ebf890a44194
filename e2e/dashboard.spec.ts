import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { expect, type Page, test } from "@playwright/test";
import { e2eAdmin } from "../playwright.config";
import { createAgentWithKey, createTeam, signIn } from "./helpers";

// Other specs may or may not have sent gateway traffic before this one, so it makes a call of its own
// (a refused one: the agent has no grants) and asserts at least that much, never exact totals.
const team = "Dashboard Team";
const agentName = "dashboard-bot";

test.describe.configure({ mode: "serial" });

const tileValue = async (page: Page, testId: string) => Number((await page.getByTestId(`${testId}-value`).textContent())!.replace(/,/g, ""));

test("an agent's refused call shows on the dashboard, whose range can be switched", async ({ page, baseURL }) => {
  await signIn(page, e2eAdmin.email, e2eAdmin.password);
  await page.goto("/admin");
  await createTeam(page, team);
  const key = await createAgentWithKey(page, { name: agentName, team, environment: "prod" });

  const client = new Client({ name: "dashboard-e2e", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL("/mcp", baseURL), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
  await expect(client.callTool({ name: "com.example_nowhere__nothing", arguments: {} })).rejects.toThrow();
  await client.close();

  await page.goto("/");
  const dashboard = page.getByTestId("dashboard");
  await expect(dashboard).toHaveAttribute("data-range", "day");
  const ranges = page.getByRole("navigation", { name: "Time range" });
  await expect(ranges.getByRole("link", { name: "Last day" })).toHaveAttribute("aria-current", "page");

  await ranges.getByRole("link", { name: "Last hour" }).click();
  await expect(page).toHaveURL(/\/\?range=hour$/);
  await expect(dashboard).toHaveAttribute("data-range", "hour");
  // The gateway writes its audit in batches, so the call may land a moment after it was answered.
  await expect(async () => {
    await page.reload();
    expect(await tileValue(page, "stat-calls")).toBeGreaterThan(0);
  }).toPass({ timeout: 15_000 });

  for (const tile of ["stat-calls", "stat-success-rate", "stat-p50", "stat-p95", "stat-pending-approvals", "stat-open-drift"]) {
    await expect(page.getByTestId(tile)).toBeVisible();
  }
  await expect(page.getByTestId("stat-success-rate-value")).toHaveText(/^\d+(\.\d)?%$/);
  await expect(page.getByTestId("stat-pending-approvals")).toHaveAttribute("href", "/approvals");
  await expect(page.getByTestId("stat-open-drift")).toHaveAttribute("href", "/drift");
  for (const chart of ["chart-calls-over-time", "chart-refusals", "chart-top-agents", "chart-top-tools"]) {
    await expect(page.getByTestId(chart).locator("svg.recharts-surface").first()).toBeVisible();
  }
  await expect(page.getByTestId("chart-top-agents")).toContainText(agentName);

  await ranges.getByRole("link", { name: "Last week" }).click();
  await expect(dashboard).toHaveAttribute("data-range", "week");
  await expect(ranges.getByRole("link", { name: "Last week" })).toHaveAttribute("aria-current", "page");
  expect(await tileValue(page, "stat-calls")).toBeGreaterThan(0);
  await expect(page.getByTestId("range-note")).toHaveCount(0);

  await page.goto("/?range=fortnight");
  await expect(dashboard).toHaveAttribute("data-range", "day");
  await expect(page.getByTestId("range-note")).toContainText('There is no range "fortnight"; showing the last day.');

  await page.getByTestId("stat-pending-approvals").click();
  await expect(page.getByRole("heading", { name: "Approvals", level: 1 })).toBeVisible();
});

test("Prometheus scrapes /api/metrics without signing in", async ({ request }) => {
  const response = await request.get("/api/metrics", { maxRedirects: 0 });
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
  const body = await response.text();
  expect(body).toContain("# TYPE toolgate_gateway_calls_total counter");
  expect(body).toMatch(/^toolgate_gateway_calls_total\{decision="refused"\} \d+$/m);
  expect(body).toMatch(/^toolgate_approvals_pending \d+$/m);
  expect(body).toMatch(/^toolgate_audit_queue_depth \d+$/m);
  expect(body).toContain("toolgate_process_resident_memory_bytes");
});
