import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { e2eAdmin } from "../playwright.config";
import { createAgentWithKey, expectNoSidewaysScroll, type Person, phone, registerServerByApi, serverEverythingForSpec, setUpTeam, signIn, signOut } from "./helpers";

// Issue #16 item 9: every page is usable on a phone (390 px wide), and accessible at both widths. Set
// PHONE_SCREENSHOTS=1 to also write the README's screenshots at 390 and 1366 px under docs/screenshots/.

const team = "Phone Team";
const owner: Person = { email: "pia@e2e.test", name: "Pia Phone", password: "pia's long password", role: "Server owner" };
const serverName = "io.example/phone-records";
const desktop = { width: 1366, height: 900 };
const screenshots = process.env.PHONE_SCREENSHOTS === "1";
/** The pages of the main navigation, and the account page. */
const mainPages = ["/", "/catalog", "/reviews", "/approvals", "/agents", "/kill-switches", "/drift", "/audit", "/admin", "/account"];

// Not serial: each check below reports on its own. They run in file order (one worker), after the first.
const everything = serverEverythingForSpec();

/** The catalog entry's address, read from the catalog's row link. */
async function entryPathOf(page: Page): Promise<string> {
  await page.goto("/catalog");
  const href = await page.getByRole("link", { name: serverName, exact: true }).getAttribute("href");
  expect(href).toMatch(/^\/catalog\/[0-9a-f-]{36}$/);
  return href!;
}


/** The element at the link's centre is the link (or inside it): nothing covers it. */
async function expectNotCovered(page: Page, name: string) {
  const link = page.getByRole("link", { name, exact: true });
  await link.scrollIntoViewIfNeeded();
  const onTop = await link.evaluate((element) => {
    // The centre of the link's box, where a finger aims: a link wrapped over two lines has a dead centre.
    const box = element.getBoundingClientRect();
    const top = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return top !== null && element.contains(top);
  });
  expect(onTop, `${name} is covered by another element`).toBe(true);
}

test("an owner registers a server to look at", async ({ page }) => {
  await setUpTeam(page, team, [owner]);
  await signIn(page, owner.email, owner.password);
  await registerServerByApi(page, {
    name: serverName,
    title: "Records on a phone",
    purpose: "A server whose catalog entry is read on a small screen.",
    team,
    endpointUrl: everything.url,
  });
  await entryPathOf(page);
  await signOut(page);
});

test.describe("at 390 px", () => {
  test.use({ viewport: phone });

  test("the header collapses into a menu button that opens the navigation", async ({ page }) => {
    await signIn(page, e2eAdmin.email, e2eAdmin.password);
    await expectNoSidewaysScroll(page, "the dashboard");
    const menu = page.getByRole("button", { name: "Menu" });
    const nav = page.getByRole("navigation", { name: "Main" });
    await expect(menu).toHaveAttribute("aria-expanded", "false");
    await expect(nav.getByRole("link", { name: "Audit" })).toBeHidden();

    await menu.click();
    await expect(menu).toHaveAttribute("aria-expanded", "true");
    const controls = await menu.getAttribute("aria-controls");
    expect(controls).toBeTruthy();
    await expect(page.locator(`[id="${controls}"]`)).toBeVisible();
    await expect(nav.getByRole("link", { name: "Admin" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
    await expectNoSidewaysScroll(page, "the open menu");

    // Escape closes the menu and gives focus back to its button.
    await page.keyboard.press("Escape");
    await expect(menu).toHaveAttribute("aria-expanded", "false");
    await expect(nav.getByRole("link", { name: "Admin" })).toBeHidden();
    await expect(menu).toBeFocused();

    // Following a link closes the menu on the next page.
    await menu.click();
    await nav.getByRole("link", { name: "Kill switches" }).click();
    await expect(page).toHaveURL(/\/kill-switches$/);
    await expect(menu).toHaveAttribute("aria-expanded", "false");
    await expectNoSidewaysScroll(page, "/kill-switches");
  });

  test("the main pages fit the width, and tables scroll inside their own box", async ({ page }) => {
    await signIn(page, e2eAdmin.email, e2eAdmin.password);
    const entryPath = await entryPathOf(page);
    const tabs = ["", "?tab=versions", "?tab=tools", "?tab=risk", "?tab=evidence", "?tab=review", "?tab=history"].map((tab) => `${entryPath}${tab}`);
    for (const path of [...mainPages, ...tabs, `${entryPath}/edit`, "/catalog/new", "/verify"]) {
      await page.goto(path);
      await expect(page.getByRole("main")).toBeVisible();
      await expectNoSidewaysScroll(page, path, true);
    }
  });

  test("an agent's new API key, shown once, fits the width", async ({ page }) => {
    await signIn(page, e2eAdmin.email, e2eAdmin.password);
    const key = await createAgentWithKey(page, { name: "phone-agent", team, environment: "dev" });
    expect(key.length).toBeGreaterThan(20);
    await expectNoSidewaysScroll(page, "/agents with a new key");
  });

  test("the sign-in page fits the width", async ({ page }) => {
    await page.goto("/signin");
    await expect(page.getByLabel("Email")).toBeVisible();
    await expectNoSidewaysScroll(page, "/signin");
  });

  test("the catalog's row link is not covered and opens the entry", async ({ page }) => {
    await signIn(page, e2eAdmin.email, e2eAdmin.password);
    const entryPath = await entryPathOf(page);
    // The table is wider than the phone: it scrolls inside its own box, not the page.
    const scrollsInItsBox = await page.getByRole("table", { name: "Catalog entries" }).evaluate((table) => {
      const box = table.parentElement!;
      return getComputedStyle(box).overflowX === "auto" && box.scrollWidth > box.clientWidth;
    });
    expect.soft(scrollsInItsBox, "the catalog table scrolls inside its own box").toBe(true);
    await expectNotCovered(page, serverName);
    await page.getByRole("link", { name: serverName, exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`${entryPath}$`));
    await expect(page.getByRole("heading", { name: "Records on a phone" })).toBeVisible();
  });
});

// Every main page at both widths: no serious or critical accessibility violation (axe, WCAG 2.1 A/AA), and
// a screenshot of each, kept with the test's results; PHONE_SCREENSHOTS=1 writes the README's ones.
test("the main pages have no serious accessibility violations at 390 and 1366 px", async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  await signIn(page, e2eAdmin.email, e2eAdmin.password);
  const entryPath = await entryPathOf(page);
  const pages: [string, string][] = [
    ...mainPages.map((path): [string, string] => [path === "/" ? "dashboard" : path.slice(1), path]),
    ["entry", entryPath],
    ["entry-tools", `${entryPath}?tab=tools`],
  ];
  for (const [size, viewport] of [["390", phone], ["1366", desktop]] as const) {
    await page.setViewportSize(viewport);
    for (const [name, path] of pages) {
      await page.goto(path);
      const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
      const serious = violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
      expect.soft(serious.map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(" ")).join(", ")})`), `${name} at ${size} px`).toEqual([]);
      const file = screenshots ? `docs/screenshots/${name}-${size}.png` : testInfo.outputPath(`${name}-${size}.png`);
      await page.screenshot({ path: file });
    }
  }
  await page.setViewportSize(phone);
  await page.goto("/catalog");
  await page.getByRole("button", { name: "Menu" }).click();
  await page.screenshot({ path: screenshots ? "docs/screenshots/menu-390.png" : testInfo.outputPath("menu-390.png") });
});
