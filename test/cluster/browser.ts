// People act on one instance as they do: in a browser (Debian's Chromium, as the end-to-end tests use it),
// signed in with the credentials form, through the app's own pages and server actions. Each page is bound
// to one instance's origin, so "through instance A" means A answered.
import { type Browser, chromium, type Page } from "@playwright/test";

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
}

/** A page of its own (own cookies) on `origin`, signed in as the person. */
export async function signedIn(browser: Browser, origin: string, person: { email: string; password: string }): Promise<Page> {
  const context = await browser.newContext({ baseURL: origin });
  const page = await context.newPage();
  await page.goto("/signin");
  await page.getByLabel("Email").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByTestId("current-user").filter({ hasText: person.email }).waitFor({ timeout: 30_000 });
  return page;
}

/** Clicks and resolves with the moment (performance.now()) the server action's POST to `origin` answered 200. */
export async function actionAnswered(page: Page, origin: string, click: () => Promise<void>): Promise<number> {
  const answered = page.waitForResponse((response) => response.request().method() === "POST" && response.url().startsWith(`${origin}/`), { timeout: 30_000 });
  await click();
  const response = await answered;
  const at = performance.now();
  if (response.status() !== 200) throw new Error(`The action on ${origin} answered ${response.status()}.`);
  return at;
}
