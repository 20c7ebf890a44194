import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { e2eAdmin } from "../playwright.config";
import { createUser, signIn } from "./helpers";

const approver = { email: "audrey@e2e.test", name: "Audrey Approver", password: "audrey's long password", role: "Approver" };
const csvHeader = "chainSeq,occurredAt,actorLabel,actorId,action,targetType,targetId,outcome,reason,correlationId,details,prevHash,hash";

test.describe.configure({ mode: "serial" });

test("an administrator filters the audit trail, exports it as CSV and verifies the chain", async ({ page }) => {
  await signIn(page, e2eAdmin.email, e2eAdmin.password);
  await page.goto("/admin");
  await createUser(page, approver);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit" }).click();
  await expect(page.getByRole("cell", { name: "auth.sign-in" }).first()).toBeVisible();
  const filters = page.getByTestId("audit-filters");
  await filters.getByLabel("Action").fill("user.create");
  await filters.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/[?&]action=user\.create/);

  const rows = page.getByTestId("audit-row");
  await expect(rows.filter({ hasText: approver.email })).toHaveCount(1);
  for (const row of await rows.all()) await expect(row.getByRole("cell").nth(3)).toHaveText("user.create");
  await expect(page.getByRole("cell", { name: "auth.sign-in" })).toHaveCount(0);

  const downloading = page.waitForEvent("download");
  await page.getByTestId("export-csv").click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^toolgate-audit-\d{4}-\d{2}-\d{2}\.csv$/);
  const lines = (await readFile((await download.path())!, "utf8")).trimEnd().split("\r\n");
  expect(lines[0]).toBe(csvHeader);
  expect(lines.length).toBe((await rows.count()) + 1);
  // The first five columns never need quoting here: position, time, an email, a user id, the action.
  expect(lines.slice(1).every((line) => line.split(",")[4] === "user.create")).toBe(true);
  const created = lines.find((line) => line.includes(approver.email));
  expect(created).toMatch(/^\d+,\d{4}-\d{2}-\d{2}T[\d:.]+Z,admin@e2e\.test,[0-9a-f-]{36},user\.create,user,[0-9a-f-]{36},success,,/);
  expect(created).toMatch(/,[0-9a-f]{64},[0-9a-f]{64}$/);

  const verify = page.getByTestId("verify-chain");
  await verify.getByRole("button", { name: "Verify chain" }).click();
  await expect(verify.getByRole("status")).toHaveText(/^Chain intact: \d+ events checked\.$/);

  // Both the export and the check are on the record.
  await page.goto("/audit?action=audit.");
  await expect(page.getByRole("cell", { name: "audit.export" })).toHaveCount(1);
  await expect(page.getByRole("cell", { name: "audit.verify_chain" })).toHaveCount(1);
});

test("an export in an unknown format or with bad filters is refused with a clear message", async ({ page }) => {
  await signIn(page, e2eAdmin.email, e2eAdmin.password);
  const unknown = await page.request.get("/audit/export?format=xlsx");
  expect(unknown.status()).toBe(400);
  expect(await unknown.json()).toEqual({ error: "Choose the export format: format=csv or format=jsonl.", code: "bad_request" });
  expect((await page.request.get("/audit/export?format=csv&outcome=maybe")).status()).toBe(400);

  await page.goto("/audit?from=yesterday");
  await expect(page.getByRole("main").getByRole("alert")).toContainText('"yesterday" is not a date');
  await expect(page.getByTestId("audit-row")).toHaveCount(0);
});
