import { defineConfig } from "@playwright/test";

// End-to-end tests run the real production build (`next build` + `npm start`) on a fresh embedded
// PostgreSQL in .tmp/e2e-data, in Debian's Chromium.
export const e2ePort = Number(process.env.E2E_PORT ?? 3210);
export const e2eAdmin = { email: "admin@e2e.test", password: "e2e admin password 1" };

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  // One app and database serve every spec: the foundation spec starts from the fresh database (it
  // counts users), so it runs first and every other spec after it.
  projects: [
    { name: "foundation", testMatch: /foundation\.spec\.ts/ },
    { name: "features", testIgnore: /foundation\.spec\.ts/, dependencies: ["foundation"] },
  ],
  reporter: process.env.CI ? [["list"], ["json", { outputFile: ".tmp/playwright.json" }]] : "list",
  use: {
    baseURL: `http://localhost:${e2ePort}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  webServer: {
    command: "rm -rf .tmp/e2e-data && tsx scripts/start.ts",
    url: `http://localhost:${e2ePort}/api/ready`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: "pipe",
    env: {
      DATABASE_URL: "",
      PORT: String(e2ePort),
      TOOLGATE_DATA_DIR: ".tmp/e2e-data",
      TOOLGATE_PG_PORT: process.env.E2E_PG_PORT ?? "54391",
      TOOLGATE_ADMIN_EMAIL: e2eAdmin.email,
      TOOLGATE_ADMIN_PASSWORD: e2eAdmin.password,
      // TOOLGATE_OUTBOUND_ALLOW is left unset, as on a first `npm start`: the specs' MCP servers run on
      // loopback, which the default allows while Toolgate listens on loopback only (e2e/outbound.spec.ts).
      HOST: "127.0.0.1",
    },
  },
});
