import { expect, test } from "@playwright/test";
import { e2eAdmin } from "../playwright.config";
import { expectAccessible, expectNoSidewaysScroll, phone, signIn, signOut } from "./helpers";

// Issue #20: the app's periodic jobs run once per cluster from the jobs table (decision 040); an
// administrator sees each one on /admin's "Background jobs" tab, and it lays out on a phone.

const jobs = ["audit-checkpoint", "audit-retention", "call-resumption-cleanup", "drift-sweep", "expire-approvals", "idempotency-cleanup", "idle-session-cleanup", "retire-sunset-versions", "session-message-cleanup"];

test("the administrator sees every background job, its period and its last run, accessible and on a phone", async ({ page }) => {
  await signIn(page, e2eAdmin.email, e2eAdmin.password);
  await page.goto("/admin");
  await page.getByRole("navigation", { name: "Admin sections" }).getByRole("link", { name: "Background jobs" }).click();
  await expect(page).toHaveURL(/\/admin\?tab=jobs$/);
  const section = page.getByRole("region", { name: "Background jobs" });
  const list = section.getByRole("list", { name: "Jobs" });
  for (const name of jobs) await expect(list.getByRole("listitem", { name })).toBeVisible();
  const expiry = list.getByRole("listitem", { name: "expire-approvals" });
  await expect(expiry).toContainText(/Every\s*30 s/);
  // Each job ran once when the app started; the page shows the outcome and the instance.
  await expect(async () => {
    await page.reload();
    await expect(list.getByRole("listitem", { name: "retire-sunset-versions" })).toContainText("succeeded", { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await expect(list.getByRole("listitem", { name: "retire-sunset-versions" })).toContainText(/Last run\s*\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC on \S+/);
  // What the drift sweep found shows as its last result (decision 040, amendment of 2026-12-01).
  await expect(async () => {
    await page.reload();
    await expect(list.getByRole("listitem", { name: "drift-sweep" })).toContainText(/Last result\s*(no promoted backends to check|\d+ backends?: \d+ checked, \d+ drifted, \d+ unreachable)/, {
      timeout: 1_000,
    });
  }).toPass({ timeout: 30_000 });
  await expectAccessible(page);

  await page.setViewportSize(phone);
  await page.reload();
  await expect(section.getByRole("list", { name: "Jobs" })).toBeVisible();
  await expectNoSidewaysScroll(page, "/admin?tab=jobs");
  // Sign out sits in the menu on a phone.
  await page.setViewportSize({ width: 1366, height: 900 });
  await signOut(page);
});
