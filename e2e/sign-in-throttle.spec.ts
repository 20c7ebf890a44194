import { expect, test } from "@playwright/test";
import { e2eAdmin } from "../playwright.config";
import { createUser, signIn, signOut } from "./helpers";

// Ten wrong passwords lock an account for 15 minutes (lib/auth/sign-in-throttle.ts); the form says so.
const person = { email: "tess@e2e.test", name: "Tess Throttled", password: "tess's long password", role: "Approver" };

test("after ten wrong passwords the right one is refused too, the form says when to retry, and the lockout is audited", async ({ page }) => {
  await signIn(page, e2eAdmin.email, e2eAdmin.password);
  await page.goto("/admin");
  await createUser(page, person);
  await signOut(page);

  const alert = page.getByRole("main").getByRole("alert");
  const attempt = async (password: string) => {
    await page.getByLabel("Email").fill(person.email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
  };
  for (let tries = 1; tries < 10; tries++) {
    await attempt(`wrong password ${tries}`);
    await expect(alert).toHaveText("Wrong email or password, or the account is disabled.");
    await page.reload();
  }
  await attempt("wrong password 10");
  await expect(alert).toHaveText("Too many failed sign-ins. Try again in 15 minutes.");
  await page.reload();
  await attempt(person.password);
  await expect(alert).toHaveText(/^Too many failed sign-ins\. Try again in 1[45] minutes\.$/);

  await signIn(page, e2eAdmin.email, e2eAdmin.password);
  const audit = await page.request.get(`/audit/export?action=auth.lockout&format=jsonl`);
  expect(audit.status()).toBe(200);
  const events = (await audit.text()).trim().split("\n").map((line) => JSON.parse(line));
  expect(events).toEqual([expect.objectContaining({ actorLabel: person.email, outcome: "denied", targetType: "account", targetId: person.email })]);
});
