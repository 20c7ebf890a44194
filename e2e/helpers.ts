import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { e2eAdmin } from "../playwright.config";
import { startServerEverything } from "../test/server-everything";

export async function signIn(page: Page, email: string, password: string) {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByTestId("current-user")).toContainText(email);
}

export async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
}

export interface Person {
  email: string;
  name: string;
  password: string;
  /** The role's label on the create-user form, e.g. "Server owner". */
  role: string;
}

/** On /admin, as an administrator: opens the tab unless it is open already. */
async function openAdminTab(page: Page, tab: "People" | "Teams") {
  const link = page.getByRole("navigation", { name: "Admin sections" }).getByRole("link", { name: tab, exact: true });
  if ((await link.getAttribute("aria-current")) === "page") return;
  await link.click();
  await expect(link).toHaveAttribute("aria-current", "page");
}

/** On /admin, as an administrator. */
export async function createUser(page: Page, person: Person) {
  await openAdminTab(page, "People");
  const form = page.getByRole("form", { name: "Create user" });
  await form.getByLabel("Email").fill(person.email);
  await form.getByLabel("Name").fill(person.name);
  await form.getByLabel(/Initial password/).fill(person.password);
  await form.getByLabel(person.role).check();
  await form.getByRole("button", { name: "Create user" }).click();
  await expect(form.getByRole("status")).toHaveText(`Created ${person.email}.`);
  // React resets the form after the action; wait for it so the next person's details are not wiped.
  await expect(form.getByLabel("Email")).toHaveValue("");
}

/** On /admin, as an administrator. */
export async function createTeam(page: Page, team: string) {
  await openAdminTab(page, "Teams");
  const form = page.getByRole("form", { name: "Create team" });
  await form.getByLabel("Team name").fill(team);
  await form.getByRole("button", { name: "Create team" }).click();
  await expect(form.getByRole("status")).toHaveText(`Created team ${team}.`);
}

/** On /admin, as an administrator: adds the person to the team. */
export async function joinTeam(page: Page, email: string, team: string) {
  await openAdminTab(page, "People");
  const row = page.getByTestId(`user-${email}`);
  await row.getByRole("group", { name: "Teams" }).getByLabel(team).check();
  await row.getByRole("button", { name: "Save teams" }).click();
  await expect(row.getByRole("status")).toHaveText(`Saved teams of ${email}.`);
}

/** As the administrator: creates the team and the people, puts `members` in the team, then signs out. */
export async function setUpTeam(page: Page, team: string, people: Person[], members: Person[] = people) {
  await signIn(page, e2eAdmin.email, e2eAdmin.password);
  await page.goto("/admin");
  await createTeam(page, team);
  for (const person of people) await createUser(page, person);
  for (const member of members) await joinTeam(page, member.email, team);
  await signOut(page);
}

/**
 * Runs the reference MCP server (server-everything) on loopback for the spec: started before its
 * first test, stopped after its last. Read `url` inside tests.
 */
export function serverEverythingForSpec(): { readonly url: string } {
  let running: Awaited<ReturnType<typeof startServerEverything>> | undefined;
  test.beforeAll(async () => {
    running = await startServerEverything();
  });
  test.afterAll(async () => {
    await running?.close();
  });
  return {
    get url() {
      if (!running) throw new Error("server-everything is not running yet");
      return running.url;
    },
  };
}

/**
 * As a signed-in owner of the team: registers a server (version 1.0.0, dev and prod, internal data)
 * through the JSON catalog API, which is quicker than the wizard when the wizard is not under test.
 */
export async function registerServerByApi(page: Page, server: { name: string; title: string; purpose: string; team: string; endpointUrl: string }) {
  await page.goto("/catalog");
  const teamId = await page.getByLabel("Owning team").locator("option", { hasText: server.team }).getAttribute("value");
  const { name, title, purpose, endpointUrl } = server;
  const created = await page.request.post("/api/v1/servers", {
    data: { name, title, purpose, endpointUrl, teamId, environments: ["dev", "prod"], classification: "internal", version: { version: "1.0.0" } },
  });
  expect(created.status(), await created.text()).toBe(201);
}

/** On /agents, as an administrator: a new agent and its first API key, read from the page where it is shown once. */
export async function createAgentWithKey(page: Page, agent: { name: string; team: string; environment: string }): Promise<string> {
  await page.goto("/agents");
  const create = page.getByRole("form", { name: "Create agent" });
  await create.getByLabel("Agent name").fill(agent.name);
  await create.getByLabel("Team").selectOption({ label: agent.team });
  await create.getByLabel("Environment").selectOption(agent.environment);
  await create.getByRole("button", { name: "Create agent" }).click();
  await expect(create.getByRole("status")).toHaveText(`Created agent ${agent.name}.`);
  const keyForm = page.getByRole("article", { name: `Agent ${agent.name}` }).getByRole("form", { name: "Create API key" });
  await keyForm.getByRole("button", { name: "Create API key" }).click();
  return (await keyForm.getByTestId("new-api-key").textContent())!.trim();
}

/**
 * On an entry's open "Review & promotion" tab, the owner asks to promote the version to `environment`; it
 * waits for an approver unless the environment needs none (dev: "Promoted.").
 */
export async function requestPromotion(
  page: Page,
  environment: string,
  plans: { rollout: string; rollback: string; killSwitch: string },
  expected = "Requested: waiting for an approver.",
) {
  const request = page.getByRole("form", { name: "Request promotion" });
  await request.getByLabel("Environment").selectOption(environment);
  await request.getByLabel("Rollout plan").fill(plans.rollout);
  await request.getByLabel("Rollback plan").fill(plans.rollback);
  await request.getByLabel("Kill-switch plan").fill(plans.killSwitch);
  await request.getByRole("button", { name: "Request promotion" }).click();
  await expect(request.getByRole("status")).toHaveText(expected);
}

/** On an entry's open "Review & promotion" tab, the owner submits the draft version for review. */
export async function submitForReview(page: Page, ownerEmail: string) {
  await page.getByRole("button", { name: "Submit for review" }).click();
  await expect(page.getByRole("table", { name: "Lifecycle steps" })).toContainText(ownerEmail);
}

/**
 * On an entry's open "Review & promotion" tab, a reviewer claims the version and certifies it at risk low,
 * waiving every failing check; `whileClaimed` runs between the claim and the decision.
 */
export async function certifyWaivingChecks(page: Page, reason: string, whileClaimed?: () => Promise<void>) {
  await page.getByRole("button", { name: "Claim review" }).click();
  const decision = page.getByRole("form", { name: "Review decision" });
  await whileClaimed?.();
  await decision.getByLabel("Reason", { exact: true }).fill(reason);
  await decision.getByLabel("Risk tier").selectOption("low");
  for (const waive of await decision.getByRole("checkbox", { name: /^Waive / }).all()) {
    const check = (await waive.getAttribute("value"))!;
    await waive.check();
    await decision.getByLabel(`Waiver reason for ${check}`).fill("A trial server in an end-to-end test.");
  }
  await decision.getByRole("button", { name: "Certify" }).click();
  await expect(page.getByTestId("manifest-signature")).toContainText("Signature verified");
}

/** Opens a catalog entry's tab by searching the catalog for its name; answers the tab's path. */
export async function openEntry(page: Page, serverName: string, tab: string): Promise<string> {
  await page.goto(`/catalog?q=${encodeURIComponent(serverName)}`);
  await page.getByRole("link", { name: serverName }).click();
  await page.getByRole("navigation", { name: "Entry sections" }).getByRole("link", { name: tab }).click();
  return new URL(page.url()).pathname;
}

/** No WCAG 2.1 A or AA violation on the page as it is. */
export async function expectAccessible(page: Page) {
  const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  expect(violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`)).toEqual([]);
}

/** A phone's viewport, where no page may scroll sideways. */
export const phone = { width: 390, height: 844 };

/** The document is no wider than the phone: nothing makes the whole page scroll sideways. */
export async function expectNoSidewaysScroll(page: Page, where: string, soft = false) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  (soft ? expect.soft : expect)(width, `${where} lays out ${width} px wide`).toBeLessThanOrEqual(phone.width);
}

/**
 * A server live in dev for an agent, as people make it: the owner registers and submits it, the reviewer
 * certifies it waiving the checks, the owner promotes it to dev, and an administrator creates the team's
 * agent and grants it the server. Answers the agent's API key; signs out after each step.
 */
export async function serverLiveForAgent(
  page: Page,
  people: { owner: Person; reviewer: Person; admin: { email: string; password: string } },
  server: { name: string; title: string; purpose: string; team: string; endpointUrl: string },
  agentName: string,
): Promise<string> {
  const { owner, reviewer, admin } = people;
  await signIn(page, owner.email, owner.password);
  await registerServerByApi(page, server);
  await openEntry(page, server.name, "Review & promotion");
  await submitForReview(page, owner.email);
  await signOut(page);

  await signIn(page, reviewer.email, reviewer.password);
  await openEntry(page, server.name, "Review & promotion");
  await certifyWaivingChecks(page, `Trial server ${server.title}; checks waived.`);
  await signOut(page);

  await signIn(page, owner.email, owner.password);
  await openEntry(page, server.name, "Review & promotion");
  await requestPromotion(page, "dev", { rollout: "Everyone at once.", rollback: "Re-pin the previous version.", killSwitch: "Engage the tool switch." }, "Promoted.");
  await signOut(page);

  await signIn(page, admin.email, admin.password);
  const agentKey = await createAgentWithKey(page, { name: agentName, team: server.team, environment: "dev" });
  const agentCard = page.getByRole("article", { name: `Agent ${agentName}` });
  const grantForm = agentCard.getByRole("form", { name: "Grant access" });
  await grantForm.getByLabel("Server").selectOption({ label: `${server.name} (low risk)` });
  await grantForm.getByRole("button", { name: "Grant access" }).click();
  await expect(agentCard.getByRole("table", { name: `Grants of ${agentName}` })).toContainText("active");
  await signOut(page);
  return agentKey;
}
