import { expect, type Page } from "@playwright/test";

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

/** On /admin, as an administrator. */
export async function createUser(page: Page, person: Person) {
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
  const form = page.getByRole("form", { name: "Create team" });
  await form.getByLabel("Team name").fill(team);
  await form.getByRole("button", { name: "Create team" }).click();
  await expect(form.getByRole("status")).toHaveText(`Created team ${team}.`);
}

/** On /admin, as an administrator: adds the person to the team. */
export async function joinTeam(page: Page, email: string, team: string) {
  const row = page.getByTestId(`user-${email}`);
  await row.getByRole("group", { name: "Teams" }).getByLabel(team).check();
  await row.getByRole("button", { name: "Save teams" }).click();
  await expect(row.getByRole("status")).toHaveText(`Saved teams of ${email}.`);
}
