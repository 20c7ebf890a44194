import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { e2eAdmin, e2ePort } from "../playwright.config";
import { setUpTeam, signIn, signOut } from "./helpers";

// A page on another origin of the same site (another port on localhost, so the SameSite=Lax session
// cookie still goes along) tries to change things as the signed-in administrator.
const attackerPort = Number(process.env.E2E_ATTACKER_PORT ?? 3404);
const team = "Cross-site Team";
const owner = { email: "xena@e2e.test", name: "Xena Owner", password: "xena's long password", role: "Server owner" };
const forgedName = "io.example/forged";

function attackerPage(target: string): string {
  const body = JSON.stringify({
    name: forgedName,
    title: "Forged",
    purpose: "Registered by another site.",
    endpointUrl: "http://127.0.0.1:9/mcp",
    teamId: "TEAM_ID",
    environments: ["dev"],
    classification: "internal",
    version: { version: "1.0.0" },
  });
  return `<!doctype html><title>Attacker</title><script>
    window.forge = (teamId) => fetch(${JSON.stringify(target)}, {
      method: "POST", mode: "no-cors", credentials: "include",
      headers: { "Content-Type": "text/plain; charset=application/json" },
      body: ${JSON.stringify(body)}.replace("TEAM_ID", teamId),
    }).then(() => "sent", (error) => String(error));
  </script>`;
}

let attacker: http.Server;

test.beforeAll(async () => {
  const page = attackerPage(`http://localhost:${e2ePort}/api/v1/servers`);
  attacker = http.createServer((_, response) => response.writeHead(200, { "content-type": "text/html" }).end(page));
  await new Promise<void>((resolve) => attacker.listen(attackerPort, "127.0.0.1", resolve));
  expect((attacker.address() as AddressInfo).port).toBe(attackerPort);
});

test.afterAll(async () => {
  await new Promise((resolve) => attacker.close(resolve));
});

test.describe.configure({ mode: "serial" });

test("a page on another origin cannot register a server as the signed-in owner, and the attempt is audited", async ({ page }) => {
  await setUpTeam(page, team, [owner]);

  await signIn(page, owner.email, owner.password);
  await page.goto("/catalog");
  const teamId = (await page.getByLabel("Owning team").locator("option", { hasText: team }).getAttribute("value")) ?? "";

  await page.goto(`http://localhost:${attackerPort}/`);
  const refused = page.waitForResponse((response) => response.url().endsWith("/api/v1/servers") && response.request().method() === "POST");
  expect(await page.evaluate((id) => (window as unknown as { forge: (id: string) => Promise<string> }).forge(id), teamId)).toBe("sent");
  expect((await refused).status()).toBe(403);

  const listed = await page.request.get(`/api/v1/servers?name=${encodeURIComponent(forgedName)}`);
  expect(listed.status()).toBe(200);
  expect(JSON.stringify(await listed.json())).not.toContain(forgedName);
  // The app's own origin under a loopback alias is its own: the same owner's request goes through to validation.
  const own = await page.request.post("/api/v1/servers", { headers: { origin: `http://127.0.0.1:${e2ePort}` }, data: {} });
  expect(own.status()).toBe(400);

  await page.goto(`http://localhost:${e2ePort}/`);
  await signOut(page);
  await signIn(page, e2eAdmin.email, e2eAdmin.password);
  const audit = await page.request.get("/audit/export?action=request.cross-site&format=jsonl");
  expect(audit.status()).toBe(200);
  const events = (await audit.text()).trim().split("\n").map((line) => JSON.parse(line));
  expect(events.some((event) => event.actorLabel === owner.email && event.targetId === "POST /api/v1/servers" && event.outcome === "denied" && event.details.origin === `http://localhost:${attackerPort}`)).toBe(true);
});

test("a server action with a foreign Origin is refused even when X-Forwarded-Host claims that origin", async ({ page }) => {
  await signIn(page, e2eAdmin.email, e2eAdmin.password);
  const forged = await page.request.post("/admin", {
    headers: { origin: "http://evil.example", "x-forwarded-host": "evil.example", "next-action": "0".repeat(40), "content-type": "text/plain;charset=UTF-8" },
    data: "[]",
  });
  expect(forged.status()).toBe(403);
  expect((await forged.json()).error).toMatch(/Origin http:\/\/evil\.example is not this app's own/);
  expect((await forged.json()).code).toBe("forbidden");
});

test("a 50 MB post to the public verify page is refused before it is read", async ({ request }) => {
  const response = await request.post("/verify", {
    headers: { "next-action": "0".repeat(40), "content-type": "text/plain;charset=UTF-8" },
    data: "x".repeat(50 * 1024 * 1024),
  });
  expect(response.status()).toBe(413);
  expect((await response.json()).error).toBe("The request body must be at most 2 MB.");
  expect((await response.json()).code).toBe("payload_too_large");
});
