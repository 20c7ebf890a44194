import { expect, type Page, test } from "@playwright/test";
import { e2eAdmin } from "../playwright.config";
import { serverEverythingForSpec, setUpTeam, signIn, signOut } from "./helpers";

// Issue #16, "Broke" 1: the app runs as `npm start` runs it (production, TOOLGATE_OUTBOUND_ALLOW unset,
// listening on 127.0.0.1 only), so a local trial must reach an MCP server on loopback; an administrator
// sees the outbound rule on /admin, why it is in force, and changes it.

const team = "Outbound Trial";
const owner = { email: "oscar@e2e.test", name: "Oscar Owner", password: "oscar's long password", role: "Server owner" };

test.describe.configure({ mode: "serial" });
const everything = serverEverythingForSpec();

async function importFromServer(page: Page) {
  await page.goto("/catalog/new");
  const connect = page.getByRole("form", { name: "Import from server" });
  await connect.getByLabel("Streamable HTTP URL").fill(everything.url);
  await connect.getByRole("button", { name: "Import" }).click();
  return connect;
}

test("a fresh app started as `npm start` starts it imports a server on loopback", async ({ page }) => {
  await setUpTeam(page, team, [owner]);
  await signIn(page, owner.email, owner.password);
  await importFromServer(page);
  await expect(page.getByRole("status")).toContainText("tools from mcp-servers/everything");
  await signOut(page);
});

test("the administrator sees the outbound rule and why it is in force, and changes it", async ({ page }) => {
  await signIn(page, e2eAdmin.email, e2eAdmin.password);
  await page.goto("/admin?tab=outbound");
  const section = page.getByRole("region", { name: "Outbound connections" });
  await expect(section).toContainText("listens on 127.0.0.1 only");
  await expect(section).toContainText("cloud metadata");
  const form = section.getByRole("form", { name: "Outbound rule" });
  const allowed = form.getByLabel("Allowed private ranges");
  await expect(allowed).toHaveValue("loopback");

  // A malformed entry is refused by name and nothing changes.
  await allowed.fill("10.0.0/8");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form.getByText('"10.0.0/8" is not a range')).toHaveCount(1);
  await expect(allowed).toBeFocused();
  await expect(allowed).toHaveAttribute("aria-invalid", "true");
  await page.reload();
  await expect(section.getByLabel("Allowed private ranges")).toHaveValue("loopback");

  // Only a private network, not loopback: the owner's import is refused, naming where to change it.
  await section.getByLabel("Allowed private ranges").fill("10.0.0.0/8");
  await section.getByRole("button", { name: "Save" }).click();
  await expect(section.getByRole("status")).toHaveText("Saved: Toolgate may connect to 10.0.0.0/8 and to public addresses.");
  await page.reload();
  await expect(section).toContainText("Set by an administrator");
  await expect(section.getByLabel("Allowed private ranges")).toHaveValue("10.0.0.0/8");
  await signOut(page);

  await signIn(page, owner.email, owner.password);
  const connect = await importFromServer(page);
  await expect(connect.getByRole("alert")).toContainText("a loopback address (127.0.0.1), which Toolgate does not connect to");
  await expect(connect.getByRole("alert")).toContainText("Admin → Outbound connections");
  await signOut(page);

  // Back to the default; the changes are in the audit trail.
  await signIn(page, e2eAdmin.email, e2eAdmin.password);
  await page.goto("/admin?tab=outbound");
  await section.getByRole("button", { name: "Use the default" }).click();
  await expect(section.getByRole("status")).toHaveText("Saved: back to the default. Toolgate may connect to loopback and to public addresses.");
  await page.reload();
  await expect(section.getByLabel("Allowed private ranges")).toHaveValue("loopback");
  await page.goto("/audit?action=settings.update");
  await expect(page.getByTestId("audit-row").filter({ hasText: "outbound.allow" })).toHaveCount(2);
  await signOut(page);

  await signIn(page, owner.email, owner.password);
  await importFromServer(page);
  await expect(page.getByRole("status")).toContainText("tools from mcp-servers/everything");
  await signOut(page);
});

test("the outbound section fits a phone's width", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, e2eAdmin.email, e2eAdmin.password);
  await page.goto("/admin?tab=outbound");
  const section = page.getByRole("region", { name: "Outbound connections" });
  await section.scrollIntoViewIfNeeded();
  const box = await section.getByLabel("Allowed private ranges").boundingBox();
  expect(box).not.toBeNull();
  expect(box!.x + box!.width).toBeLessThanOrEqual(390);
});
