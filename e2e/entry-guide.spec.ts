import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { startFixtureServer } from "../test/mcp-fixture-server";
import { type Person, setUpTeam, signIn, signOut } from "./helpers";

// Issue 16, "Guide the work": the entry page says where the entry is and the one thing the signed-in
// person can do next (and why not, when they cannot); Claim lands on the review; promotion plans start
// from the previous environment's; the entry's tabs stay one line on a phone. One entry, walked by its
// owner, a reviewer of its own team (who may not review it), an outside reviewer and an approver.
const team = "Guide Team";
const owner: Person = { email: "gina-guide@e2e.test", name: "Gina Owner", password: "gina's long password", role: "Server owner" };
const teamReviewer: Person = { email: "tom-guide@e2e.test", name: "Tom Teammate", password: "tom's long password", role: "Governance reviewer" };
const reviewer: Person = { email: "rhea-guide@e2e.test", name: "Rhea Reviewer", password: "rhea's long password", role: "Governance reviewer" };
const approver: Person = { email: "abe-guide@e2e.test", name: "Abe Approver", password: "abe's long password", role: "Approver" };
const serverName = "io.example/guide-notes";

let backend: Awaited<ReturnType<typeof startFixtureServer>>;

// Not serial: each item's test reports on its own; the steps the story needs between them are tests of
// their own (submit, certify), so one failing item does not stop the next.
test.beforeAll(async () => {
  backend = await startFixtureServer({
    tools: [{ name: "read_note", description: "Reads a note.", inputSchema: { type: "object" }, annotations: { readOnlyHint: true } }],
  });
});
test.afterAll(async () => {
  await backend?.close();
});

/** Signs the person in, runs the steps with the entry's address (once registered), signs out. */
async function as(page: Page, person: Person, steps: (entryPath: string) => Promise<void>) {
  await signIn(page, person.email, person.password);
  await steps(await entryPathOf(page));
  await signOut(page);
}

/** The entry's address from the catalog's row link, or "" before it is registered. */
async function entryPathOf(page: Page): Promise<string> {
  await page.goto(`/catalog?q=${encodeURIComponent(serverName)}`);
  const link = page.getByRole("link", { name: serverName, exact: true });
  return (await link.count()) ? ((await link.getAttribute("href")) ?? "") : "";
}

const strip = (page: Page) => page.getByRole("region", { name: "Next step" });
const currentStep = (page: Page) => strip(page).getByRole("listitem").and(strip(page).locator('[aria-current="step"]'));

test("setup: a team with an owner and a reviewer, an outside reviewer and an approver; the owner registers a server", async ({ page }) => {
  test.setTimeout(120_000);
  await setUpTeam(page, team, [owner, teamReviewer, reviewer, approver], [owner, teamReviewer]);
  await as(page, owner, async () => {
    await page.goto("/catalog");
    const teamId = await page.getByLabel("Owning team").locator("option", { hasText: team }).getAttribute("value");
    const created = await page.request.post("/api/v1/servers", {
      data: {
        name: serverName,
        title: "Notes, guided",
        purpose: "A notes service whose entry guides each person.",
        endpointUrl: backend.url,
        teamId,
        environments: ["dev", "staging", "prod"],
        classification: "internal",
        riskTier: "low",
        version: { version: "1.0.0" },
      },
    });
    expect(created.status(), await created.text()).toBe(201);
    expect(await entryPathOf(page)).toMatch(/^\/catalog\/[0-9a-f-]{36}$/);
  });
});

test("next step on a draft: the owner is sent to add the missing evidence; a teammate reviewer waits", async ({ page }) => {
  await as(page, owner, async (entryPath) => {
    await page.goto(entryPath);
    await expect(currentStep(page)).toContainText("Add evidence");
    await expect(strip(page)).toContainText("No red-team report is attached.");
    await strip(page).getByRole("link", { name: "Add evidence" }).click();
    await expect(page).toHaveURL(new RegExp(`${entryPath}\\?tab=evidence`));
    await expect(page.getByRole("form", { name: "Add evidence" })).toBeVisible();
  });
  await as(page, teamReviewer, async (entryPath) => {
    await page.goto(entryPath);
    await expect(strip(page)).toContainText("Waiting for the owning team");
    await expect(strip(page).getByRole("link")).toHaveCount(0);
  });
});

test("step: the owner submits the version as it is", async ({ page }) => {
  await as(page, owner, async (entryPath) => {
    await page.goto(`${entryPath}?tab=review`);
    await page.getByRole("button", { name: "Submit for review" }).click();
    await expect(page.getByRole("table", { name: "Lifecycle steps" })).toContainText(owner.email);
  });
});

test("next step once submitted: the owner and a teammate reviewer wait, saying why; an outside reviewer may claim", async ({ page }) => {
  await as(page, owner, async (entryPath) => {
    await page.goto(entryPath);
    await expect(currentStep(page)).toContainText("In review");
    await expect(strip(page)).toContainText("Waiting for a reviewer to claim it");
  });
  await as(page, teamReviewer, async (entryPath) => {
    await page.goto(entryPath);
    await expect(strip(page)).toContainText("you cannot review your own server");
    await expect(strip(page).getByRole("link")).toHaveCount(0);
  });
  await as(page, reviewer, async (entryPath) => {
    await page.goto(entryPath);
    await expect(currentStep(page)).toContainText("In review");
    await expect(strip(page).getByRole("link", { name: "Claim the review" })).toHaveAttribute("href", `${entryPath}?tab=review`);
  });
});

test("after Claim in the reviews queue, the reviewer lands on the entry's review", async ({ page }) => {
  await as(page, reviewer, async (entryPath) => {
    await page.goto("/reviews");
    await page.getByTestId(`review-${serverName}`).getByRole("button", { name: "Claim" }).click();
    await expect(page).toHaveURL(new RegExp(`${entryPath}\\?tab=review`));
    const decision = page.getByRole("form", { name: "Review decision" });
    await expect(decision).toBeVisible();
    await expect(strip(page).getByRole("link", { name: "Decide the review" })).toBeVisible();
  });
});

test("step: the reviewer certifies it with waivers", async ({ page }) => {
  await as(page, reviewer, async (entryPath) => {
    await page.goto(`${entryPath}?tab=review`);
    const decision = page.getByRole("form", { name: "Review decision" });
    await decision.getByRole("textbox", { name: "Reason", exact: true }).fill("Read-only notes; low risk.");
    for (const waiver of await decision.getByRole("checkbox", { name: /^Waive / }).all()) {
      const check = (await waiver.getAttribute("value"))!;
      await waiver.check();
      await decision.getByLabel(`Waiver reason for ${check}`).fill(`Accepted for the guide test: ${check}.`);
    }
    await decision.getByRole("button", { name: "Certify" }).click();
    await expect(page.getByTestId("manifest-signature")).toContainText("Signature verified");
  });
});

test("next step once certified: the owner is sent to promote it to the first environment; others wait for them", async ({ page }) => {
  await as(page, reviewer, async (entryPath) => {
    await page.goto(entryPath);
    await expect(strip(page)).toContainText("Waiting for the owning team to promote it to dev");
  });
  await as(page, owner, async (entryPath) => {
    await page.goto(entryPath);
    await expect(currentStep(page)).toContainText("Promote");
    await strip(page).getByRole("link", { name: "Promote to dev" }).click();
    await expect(page).toHaveURL(new RegExp(`${entryPath}\\?tab=review`));
    await expect(page.getByRole("form", { name: "Request promotion" }).getByLabel("Environment")).toHaveValue("dev");
  });
});

test("promotion plans start from the previous environment's promotion, saying so, and stay editable", async ({ page }) => {
  const plans = {
    rollout: "Dev first: one agent for a day.",
    rollback: "Re-pin the previous version at once.",
    killSwitch: "The reviewer on call engages the server switch.",
  };
  await as(page, owner, async (entryPath) => {
    await page.goto(`${entryPath}?tab=review`);
    const request = page.getByRole("form", { name: "Request promotion" });
    await request.getByLabel("Environment").selectOption("dev");
    await expect(request.getByLabel("Rollout plan")).toHaveValue("");
    await request.getByLabel("Rollout plan").fill(plans.rollout);
    await request.getByLabel("Rollback plan").fill(plans.rollback);
    await request.getByLabel("Kill-switch plan").fill(plans.killSwitch);
    await request.getByRole("button", { name: "Request promotion" }).click();
    await expect(request.getByRole("status")).toHaveText("Promoted.");

    // Staging starts from the dev plans, says so, and stays editable.
    await page.goto(`${entryPath}?tab=review`);
    await request.getByLabel("Environment").selectOption("staging");
    await expect(request).toContainText("Prefilled from the dev promotion of 1.0.0");
    await expect(request.getByLabel("Rollout plan")).toHaveValue(plans.rollout);
    await expect(request.getByLabel("Rollback plan")).toHaveValue(plans.rollback);
    await expect(request.getByLabel("Kill-switch plan")).toHaveValue(plans.killSwitch);
    await request.getByLabel("Rollout plan").fill("Staging: every test agent for a week.");
    await request.getByRole("button", { name: "Request promotion" }).click();
    await expect(request.getByRole("status")).toHaveText("Promoted.");

    // Prod, the next environment, is chosen and starts from staging's plans (as edited).
    await page.goto(`${entryPath}?tab=review`);
    await expect(request.getByLabel("Environment")).toHaveValue("prod");
    await expect(request).toContainText("Prefilled from the staging promotion of 1.0.0");
    await expect(request.getByLabel("Rollout plan")).toHaveValue("Staging: every test agent for a week.");
    // Choosing another environment starts from that one's predecessor; dev has none.
    await request.getByLabel("Environment").selectOption("staging");
    await expect(request).toContainText("Prefilled from the dev promotion of 1.0.0");
    await expect(request.getByLabel("Rollout plan")).toHaveValue(plans.rollout);
    await request.getByLabel("Environment").selectOption("prod");
    await expect(request.getByLabel("Rollout plan")).toHaveValue("Staging: every test agent for a week.");
    await request.getByRole("button", { name: "Request promotion" }).click();
    await expect(request.getByRole("status")).toHaveText("Requested: waiting for an approver.");
  });
});

test("next step while prod waits: the owner waits for an approver, the approver is sent to decide", async ({ page }) => {
  await as(page, owner, async (entryPath) => {
    await page.goto(entryPath);
    await expect(strip(page)).toContainText("staging 1.0.0");
    await expect(strip(page)).toContainText("Waiting for an approver to decide the promotion to prod");
    await expect(strip(page).getByRole("link")).toHaveCount(0);
  });
  await as(page, approver, async (entryPath) => {
    await page.goto(entryPath);
    await expect(strip(page).getByRole("link", { name: "Decide the promotion to prod" })).toHaveAttribute("href", "/approvals");
  });
});

test("at 390 px the entry's tabs stay on one line that scrolls, with the current tab in view", async ({ page }) => {
  await as(page, owner, async (entryPath) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${entryPath}?tab=history`);
    const nav = page.getByRole("navigation", { name: "Entry sections" });
    const tops = await nav.getByRole("link").evaluateAll((links) => links.map((link) => Math.round(link.getBoundingClientRect().top)));
    expect(new Set(tops).size, `tabs laid out on ${new Set(tops).size} lines`).toBe(1);
    const current = nav.getByRole("link", { name: "History" });
    await expect(current).toHaveAttribute("aria-current", "page");
    // Within the row's visible width (to a pixel: tabs are fractions of a pixel wide), once the page has scrolled it there.
    const overflow = async () => {
      const [tab, row] = await Promise.all([current.boundingBox(), nav.boundingBox()]);
      return Math.max(row!.x - tab!.x, tab!.x + tab!.width - (row!.x + row!.width));
    };
    await expect.poll(overflow).toBeLessThanOrEqual(1);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    // The first tab is reachable from the keyboard too.
    await nav.getByRole("link", { name: "Overview" }).focus();
    await expect(nav.getByRole("link", { name: "Overview" })).toBeInViewport();
    // Back to a width where Sign out shows without opening the menu.
    await page.setViewportSize({ width: 1366, height: 900 });
  });
});

test("the entry with its strip and the review tab have no serious accessibility violations at 390 and 1366 px", async ({ page }, testInfo) => {
  await as(page, owner, async (entryPath) => {
    for (const width of [390, 1366]) {
      await page.setViewportSize({ width, height: 900 });
      for (const [name, path] of [["entry", entryPath], ["entry-review", `${entryPath}?tab=review`]]) {
        await page.goto(path!);
        await expect(strip(page)).toBeVisible();
        const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
        const serious = violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
        expect.soft(serious.map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(" ")).join(", ")})`), `${name} at ${width} px`).toEqual([]);
        expect.soft(await page.evaluate(() => document.documentElement.scrollWidth), `${name} at ${width} px`).toBeLessThanOrEqual(width);
        await page.screenshot({ path: testInfo.outputPath(`${name}-${width}.png`), fullPage: true });
      }
    }
  });
});
