import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { e2eAdmin } from "../playwright.config";
import { phone, signIn } from "./helpers";

// Issue #16, "Guide the work" → Long pages and Tables: the admin page in tabs, required fields marked, a refused
// form that says each problem once and takes the reader to the first, and tables whose columns line up.

const desktop = { width: 1366, height: 900 };
const team = "Long Pages Team";

async function expectFitsAndAccessible(page: Page, where: string) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  const viewport = page.viewportSize()!.width;
  expect.soft(width, `${where} lays out ${width} px wide at ${viewport} px`).toBeLessThanOrEqual(viewport);
  const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const serious = violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
  expect.soft(serious.map((violation) => `${violation.id}: ${violation.help}`), `${where} at ${viewport} px`).toEqual([]);
}

test("the admin page is split into tabs with their own addresses, each fitting 390 and 1366 px", async ({ page }, testInfo) => {
  await signIn(page, e2eAdmin.email, e2eAdmin.password);
  await page.goto("/admin");
  const tabs = page.getByRole("navigation", { name: "Admin sections" });
  await expect(tabs.getByRole("link", { name: "People" })).toHaveAttribute("aria-current", "page");
  await expect(page.getByRole("form", { name: "Create user" })).toBeVisible();
  await expect(page.getByRole("form", { name: "Create team" })).toHaveCount(0);
  await expect(page.getByRole("region", { name: "Outbound connections" })).toHaveCount(0);

  const sections = [
    { tab: "Teams", id: "teams", shows: page.getByRole("form", { name: "Create team" }) },
    { tab: "Policies", id: "policies", shows: page.getByRole("form", { name: "Approval wait" }) },
    { tab: "Outbound connections", id: "outbound", shows: page.getByRole("region", { name: "Outbound connections" }) },
    { tab: "Identity providers", id: "identity", shows: page.getByRole("region", { name: "Trusted issuers" }) },
  ];
  for (const { tab, id, shows } of sections) {
    await tabs.getByRole("link", { name: tab }).click();
    await expect(page).toHaveURL(new RegExp(`/admin\\?tab=${id}$`));
    await expect(tabs.getByRole("link", { name: tab })).toHaveAttribute("aria-current", "page");
    await expect(shows).toBeVisible();
    await expect(page.getByRole("form", { name: "Create user" })).toHaveCount(0);
  }

  for (const viewport of [phone, desktop]) {
    await page.setViewportSize(viewport);
    for (const path of ["/admin", "/admin?tab=teams", "/admin?tab=policies", "/admin?tab=outbound"]) {
      await page.goto(path);
      await expectFitsAndAccessible(page, path);
      await page.screenshot({ path: testInfo.outputPath(`admin-${path.split("=")[1] ?? "people"}-${viewport.width}.png`), fullPage: true });
    }
  }
});

test("required fields are marked, and a form says once what the mark means", async ({ page }) => {
  await signIn(page, e2eAdmin.email, e2eAdmin.password);
  await page.goto("/admin");
  const form = page.getByRole("form", { name: "Create user" });
  for (const name of ["Email", "Name"]) {
    const field = form.getByRole("textbox", { name, exact: true });
    await expect(field).toHaveAttribute("required", "");
    // The mark is seen, not read out: the field's name stays its label.
    await expect(field.locator("xpath=ancestor::div[1]")).toContainText("*");
  }
  await expect(form.getByLabel(/Initial password/)).not.toHaveAttribute("required");
  await expect(form.getByText("Fields marked * are required.")).toHaveCount(1);

  await page.goto("/admin?tab=teams");
  const teamForm = page.getByRole("form", { name: "Create team" });
  await expect(teamForm.getByRole("textbox", { name: "Team name", exact: true })).toHaveAttribute("required", "");
  await expect(teamForm.getByText("Fields marked * are required.")).toHaveCount(1);
});

test("a refused form says each problem once, under its field, and takes the focus to the first", async ({ page }) => {
  await signIn(page, e2eAdmin.email, e2eAdmin.password);
  await page.goto("/admin");
  const form = page.getByRole("form", { name: "Create user" });
  const submit = form.getByRole("button", { name: "Create user" });
  const email = form.getByRole("textbox", { name: "Email", exact: true });
  await submit.click();
  await expect(email).toHaveAccessibleDescription("Email is required.");
  await expect(email).toBeFocused();
  await expect(form.getByText("Email is required.")).toHaveCount(1);
  await expect(form.getByText("Name is required.")).toHaveCount(1);
  await expect(form.getByText("Choose at least one role.")).toHaveCount(1);

  // The first field still wrong takes the focus.
  await email.fill("lena@e2e.test");
  await submit.click();
  await expect(form.getByRole("textbox", { name: "Name", exact: true })).toBeFocused();
  await expect(form.getByText("Name is required.")).toHaveCount(1);

  // A refusal no field shows is said by the form's alert, which takes the focus.
  await page.goto("/admin?tab=teams");
  const teamForm = page.getByRole("form", { name: "Create team" });
  for (const outcome of ["status", "alert"] as const) {
    await teamForm.getByRole("textbox", { name: "Team name" }).fill(team);
    await teamForm.getByRole("button", { name: "Create team" }).click();
    await expect(teamForm.getByRole(outcome)).toBeVisible();
  }
  await expect(teamForm.getByRole("alert")).toHaveText(`A team named ${team} already exists.`);
  await expect(teamForm.getByRole("alert")).toBeFocused();
  await expect(teamForm.getByText("already exists")).toHaveCount(1);
});

/** Each audit column's heading has its cells' padding; Details is the widest column, and the table needs no sideways scroll. */
async function expectColumnsLinedUp(page: Page) {
  const columns = await page.getByRole("table", { name: "Audit events" }).evaluate((element) => {
    const table = element as HTMLTableElement;
    const row = table.tBodies[0]!.rows[0]!;
    const padding = (cell: Element) => ["padding-left", "padding-right", "padding-top", "padding-bottom"].map((side) => getComputedStyle(cell).getPropertyValue(side)).join(" ");
    const box = table.parentElement!;
    if (box.scrollWidth > box.clientWidth) return `the table is ${box.scrollWidth} px wide in a box of ${box.clientWidth} px`;
    return [...table.tHead!.rows[0]!.cells].map((th, index) => ({ heading: th.textContent, width: th.getBoundingClientRect().width, th: padding(th), td: padding(row.cells[index]!) }));
  });
  if (typeof columns === "string") throw new Error(columns);
  for (const column of columns) expect(column.td, `padding of ${column.heading}`).toBe(column.th);
  const details = columns.find((column) => column.heading === "Details")!;
  for (const column of columns) if (column !== details) expect(details.width, `Details wider than ${column.heading}`).toBeGreaterThan(column.width);
}

test("the audit table lines headings up with cells, gives Details the room and leaves out empty columns", async ({ page }, testInfo) => {
  await signIn(page, e2eAdmin.email, e2eAdmin.password);
  await page.setViewportSize(desktop);
  // Creating a user records no reason: the Reason column would be empty on every row.
  await page.goto("/audit?action=user.create");
  const table = page.getByRole("table", { name: "Audit events" });
  await expect(page.getByTestId("audit-row").first()).toBeVisible();
  const headings = await table.getByRole("columnheader").allTextContents();
  expect(headings).not.toContain("Reason");
  expect(headings).toContain("Details");

  await expectColumnsLinedUp(page);
  // A view where some event has a reason keeps the column.
  await page.goto("/audit?outcome=denied");
  await expect(page.getByTestId("audit-row").first()).toBeVisible();
  expect(await table.getByRole("columnheader").allTextContents()).toContain("Reason");
  await expectColumnsLinedUp(page);

  await page.screenshot({ path: testInfo.outputPath("audit-1366.png") });
  await page.setViewportSize(phone);
  await page.goto("/audit");
  await expectFitsAndAccessible(page, "/audit");
});
