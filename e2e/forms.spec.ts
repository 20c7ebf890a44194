import { expect, type Page, test } from "@playwright/test";
import { startFixtureServer } from "../test/mcp-fixture-server";
import { openEntry, type Person, setUpTeam, signIn, signOut } from "./helpers";

// Issue 16, "Broke" items 2, 3, 5 and 10: forms that lose what was chosen, a Claim button the service
// then refuses, the favicon and the way back from /verify. One entry, walked by its owner, a reviewer
// in its team (who may not review it) and a reviewer from outside (who does).
const team = "Forms Team";
const owner: Person = { email: "olga-forms@e2e.test", name: "Olga Owner", password: "olga's long password", role: "Server owner" };
const teamReviewer: Person = { email: "tess-forms@e2e.test", name: "Tess Teammate", password: "tess's long password", role: "Governance reviewer" };
const reviewer: Person = { email: "ravi-forms@e2e.test", name: "Ravi Reviewer", password: "ravi's long password", role: "Governance reviewer" };
const serverName = "io.example/forms-contacts";

let backend: Awaited<ReturnType<typeof startFixtureServer>>;

// Not serial: each item's test runs (and fails on its own) even when an earlier one failed. Later tests
// build on earlier ones only where the story needs it (item 10 verifies what item 3 certified).
test.beforeAll(async () => {
  // Tool names with underscores, as many real servers name them.
  backend = await startFixtureServer({
    tools: [
      { name: "get_contact_by_id", description: "Reads one contact.", inputSchema: { type: "object" }, annotations: { readOnlyHint: true } },
      { name: "delete_contact", description: "Deletes one contact.", inputSchema: { type: "object" }, annotations: { destructiveHint: true } },
    ],
  });
});
test.afterAll(async () => {
  await backend?.close();
});

async function as(page: Page, person: Person, steps: () => Promise<void>) {
  await signIn(page, person.email, person.password);
  await steps();
  await signOut(page);
}


/** Opens the entry's tab through the catalog, as a person would; answers the entry's path. */

test("setup: a team with an owner and a reviewer; the owner registers a server proposing medium risk", async ({ page }) => {
  await setUpTeam(page, team, [owner, teamReviewer, reviewer], [owner, teamReviewer]);
  await as(page, owner, async () => {
    await page.goto("/catalog");
    const teamId = await page.getByLabel("Owning team").locator("option", { hasText: team }).getAttribute("value");
    const created = await page.request.post("/api/v1/servers", {
      data: {
        name: serverName,
        title: "Contacts, for forms",
        purpose: "A contacts service whose forms are under test.",
        endpointUrl: backend.url,
        teamId,
        environments: ["dev", "prod"],
        classification: "internal",
        riskTier: "medium",
        version: { version: "1.0.0" },
      },
    });
    expect(created.status(), await created.text()).toBe(201);
    // Submitted at once: evidence may still be added while it waits for review.
    await openEntry(page, serverName, "Review & promotion");
    await page.getByRole("button", { name: "Submit for review" }).click();
    await expect(page.getByRole("table", { name: "Lifecycle steps" })).toContainText(owner.email);
  });
});

test("item 2: after evidence is added or refused, the Kind select and the fields on screen agree", async ({ page }) => {
  await as(page, owner, async () => {
    await openEntry(page, serverName, "Evidence");
    const form = page.getByRole("form", { name: "Add evidence" });
    const kind = form.getByLabel("Kind");

    // Refused (no outcome): the chosen kind and its fields stay, with what was typed.
    await kind.selectOption({ label: "Red-team report" });
    await form.getByLabel("Summary").fill("200 prompts, none succeeded.");
    await form.getByRole("button", { name: "Add evidence" }).click();
    await expect(form.getByLabel("Outcome")).toHaveAttribute("aria-invalid", "true");
    await expect(kind).toHaveValue("red_team_report");
    await expect(form.getByLabel("Summary")).toHaveValue("200 prompts, none succeeded.");

    // Added: the form starts over, the select and the fields both those of the first kind.
    await form.getByLabel("Outcome").selectOption("pass");
    await form.getByRole("button", { name: "Add evidence" }).click();
    await expect(form.getByRole("status")).toHaveText(/^Added/);
    await expect(kind).toHaveValue("eval_result");
    await expect(form.getByLabel("Metric")).toBeVisible();
    await expect(form.getByLabel("Outcome")).toHaveCount(0);

    // The next item goes in on the first try: only the fields shown are asked for.
    await form.getByLabel("Metric").fill("accuracy");
    await form.getByLabel("Score").fill("0.95");
    await form.getByLabel("Threshold").fill("0.9");
    await form.getByRole("button", { name: "Add evidence" }).click();
    await expect(form.getByRole("status")).toHaveText(/^Added/);
    await expect(page.getByRole("table", { name: "Evidence" }).getByRole("row")).toHaveCount(3);
  });
});

test("item 5: the reviews queue offers Claim only to reviewers who may claim, as the entry does", async ({ page }) => {
  await as(page, teamReviewer, async () => {
    await page.goto("/reviews");
    const row = page.getByTestId(`review-${serverName}`);
    await expect(row).toContainText("submitted");
    await expect(row.getByRole("button", { name: "Claim" })).toHaveCount(0);
    await expect(row).toContainText("You own this server: another reviewer claims it");
    await openEntry(page, serverName, "Review & promotion");
    await expect(page.getByRole("button", { name: "Claim review" })).toHaveCount(0);
  });
  await as(page, reviewer, async () => {
    await page.goto("/reviews");
    await expect(page.getByTestId(`review-${serverName}`).getByRole("button", { name: "Claim" })).toBeVisible();
  });
});

test("item 3: the review form starts from the owner's tier, keeps the chosen tier after a refusal and names tools as they are", async ({ page }) => {
  await as(page, reviewer, async () => {
    await page.goto("/reviews");
    const row = page.getByTestId(`review-${serverName}`);
    await row.getByRole("button", { name: "Claim" }).click();
    // Claim opens the version's review (#16 "Guide the work").
    await expect(page).toHaveURL(/\?tab=review&v=1\.0\.0$/);

    const decision = page.getByRole("form", { name: "Review decision" });
    const tier = decision.getByLabel("Risk tier");
    await expect(tier).toHaveValue("medium");
    const approvals = decision.getByRole("group", { name: /need a human approval/ });
    await expect(approvals.getByLabel("get_contact_by_id", { exact: true })).not.toBeChecked();
    await expect(approvals.getByLabel("delete_contact", { exact: true })).toBeChecked();

    // Refused for the missing reason: the tier chosen is kept, as the rest of the form is.
    await tier.selectOption("high");
    await decision.getByRole("button", { name: "Certify" }).click();
    await expect(decision.getByRole("textbox", { name: "Reason", exact: true })).toHaveAttribute("aria-invalid", "true");
    await expect(tier).toHaveValue("high");

    // Refused again, for the failing checks without waivers: still kept.
    await decision.getByRole("textbox", { name: "Reason", exact: true }).fill("Contacts only; deletion needs approval.");
    await decision.getByRole("button", { name: "Certify" }).click();
    await expect(decision.getByRole("alert")).toContainText("Certification needs every prerelease check to pass or a waiver");
    await expect(tier).toHaveValue("high");
    await expect(decision.getByRole("textbox", { name: "Reason", exact: true })).toHaveValue("Contacts only; deletion needs approval.");

    const waivers = decision.getByRole("checkbox", { name: /^Waive / });
    for (const waiver of await waivers.all()) {
      const check = (await waiver.getAttribute("value"))!;
      await waiver.check();
      await decision.getByLabel(`Waiver reason for ${check}`).fill(`Accepted for the forms test: ${check}.`);
    }
    await decision.getByRole("button", { name: "Certify" }).click();
    await expect(page.getByTestId("manifest-signature")).toContainText("Signature verified");
    await expect(page.getByText("high", { exact: true }).first()).toBeVisible();
  });
});

test("item 10: every page has a favicon, and /verify leads back to the entry it came from", async ({ page }) => {
  const icon = await page.request.get("/favicon.ico");
  expect(icon.status()).toBe(200);
  expect(icon.headers()["content-type"]).toMatch(/^image\//);

  await as(page, reviewer, async () => {
    const entryPath = await openEntry(page, serverName, "Review & promotion");
    await page.getByTestId("manifest-signature").getByRole("link", { name: "Verify" }).click();
    await expect(page.getByText(/Signature valid/)).toBeVisible();
    await page.getByRole("link", { name: `Back to ${serverName} 1.0.0` }).click();
    await expect(page).toHaveURL(new RegExp(`${entryPath}\\?tab=review&v=1\\.0\\.0$`));
    await expect(page.getByTestId("manifest-signature")).toBeVisible();
  });

  // Someone without an account is offered the way in, not the catalog.
  await page.goto(`/verify?server=${encodeURIComponent(serverName)}&version=1.0.0`);
  await expect(page.getByText(/Signature valid/)).toBeVisible();
  await expect(page.getByRole("link", { name: /^Back to/ })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
});
