import { expect, test } from "@playwright/test";
import { e2eAdmin } from "../playwright.config";
import { signIn, signOut } from "./helpers";

const reviewer = { email: "rita@e2e.test", name: "Rita Reviewer", password: "rita's long password" };

test.describe.configure({ mode: "serial" });

test("health and readiness answer on a first start", async ({ request }) => {
  expect(await (await request.get("/api/health")).json()).toMatchObject({ status: "up" });
  const ready = await request.get("/api/ready");
  expect(ready.status()).toBe(200);
  expect(await ready.json()).toMatchObject({ status: "ready", database: "reachable", pendingMigrations: [] });
});

test("a signed-out visitor is sent to sign-in, and a wrong password is refused", async ({ page, request }) => {
  await page.goto("/admin");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fadmin/);
  await page.getByLabel("Email").fill(e2eAdmin.email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("main").getByRole("alert")).toHaveText("Wrong email or password, or the account is disabled.");
  await page.getByLabel("Password").fill("");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("main").getByRole("alert")).toHaveText("Enter your email and password.");
  expect((await request.get("/api/ready", { maxRedirects: 0 })).status()).toBe(200);
});

test("an empty Toolgate shows the first administrator where to start, and why there is no Register button", async ({ page }) => {
  await signIn(page, e2eAdmin.email, e2eAdmin.password);
  const start = page.getByRole("region", { name: "Getting started" });
  const first = start.getByRole("listitem").first();
  await expect(first).toContainText("Create a team");
  await expect(first).toContainText("(next)");
  await expect(start.getByRole("link", { name: "Register an MCP server" })).toHaveAttribute("href", "/catalog");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Catalog" }).click();
  await expect(page.getByRole("main")).toContainText("Registering a server needs the Server owner role and a team.");
  await expect(page.getByRole("link", { name: "Register a server" })).toHaveCount(0);
  await signOut(page);
});

test("the first administrator signs in and creates a reviewer", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/signin/);
  await signIn(page, e2eAdmin.email, e2eAdmin.password);
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await expect(page.getByTestId("current-user")).toContainText("Administrator");
  const nav = page.getByRole("navigation", { name: "Main" });
  for (const section of ["Catalog", "Reviews", "Approvals", "Agents", "Audit", "Admin"]) {
    await expect(nav.getByRole("link", { name: section })).toBeVisible();
  }

  await nav.getByRole("link", { name: "Admin" }).click();
  await expect(page.getByRole("heading", { name: "Users (1)" })).toBeVisible();
  const form = page.getByRole("form", { name: "Create user" });
  await form.getByLabel("Email").fill(reviewer.email);
  await form.getByLabel("Name").fill(reviewer.name);
  await form.getByLabel(/Initial password/).fill(reviewer.password);
  await form.getByLabel("Governance reviewer").check();
  await form.getByRole("button", { name: "Create user" }).click();
  await expect(form.getByRole("status")).toHaveText(`Created ${reviewer.email}.`);
  await expect(page.getByRole("heading", { name: "Users (2)" })).toBeVisible();
  await expect(page.getByTestId(`user-${reviewer.email}`)).toContainText(reviewer.name);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit" }).click();
  await expect(page.getByRole("cell", { name: "user.create" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "auth.sign-in" }).first()).toBeVisible();
  await signOut(page);
});

test("bad input on the create-user form gets clear messages and changes nothing", async ({ page }) => {
  await signIn(page, e2eAdmin.email, e2eAdmin.password);
  await page.goto("/admin");
  const form = page.getByRole("form", { name: "Create user" });
  const submit = form.getByRole("button", { name: "Create user" });

  await submit.click();
  await expect(form.getByLabel("Email")).toHaveAccessibleDescription("Email is required.");
  await expect(form).toContainText("Name is required.");
  await expect(form).toContainText("Choose at least one role.");

  await form.getByLabel("Email").fill("x@example.com'; DROP TABLE users;--");
  await form.getByLabel("Name").fill("<img src=x onerror=alert(1)>");
  await form.getByLabel(/Initial password/).fill("short");
  await form.getByLabel("Approver").check();
  await submit.click();
  await expect(form).toContainText("Enter a valid email address");
  await expect(form).toContainText("Name may contain letters, digits, spaces");
  await expect(form).toContainText("Password must be at least 12 characters.");

  await form.getByLabel("Email").fill(reviewer.email);
  await form.getByLabel("Name").fill("Someone Else");
  await form.getByLabel(/Initial password/).fill("a long enough password");
  await submit.click();
  await expect(form.getByRole("alert")).toHaveText(`A user with the email ${reviewer.email} already exists.`);

  await page.reload();
  await expect(page.getByRole("heading", { name: "Users (2)" })).toBeVisible();
  await signOut(page);
});

test("the reviewer signs in, is refused the admin page, and signs out", async ({ page }) => {
  await signIn(page, reviewer.email, reviewer.password);
  await expect(page.getByTestId("current-user")).toContainText("Governance reviewer");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Reviews" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Admin" })).toHaveCount(0);

  const response = await page.goto("/admin");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "Forbidden" })).toBeVisible();
  await expect(page.getByText("your roles do not allow this page")).toBeVisible();

  await page.goto("/");
  await signOut(page);
  await page.goto("/catalog");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fcatalog/);
});
