// `npm test`: every suite in order — type check, lint, Vitest (unit + integration on a real
// PostgreSQL, and Debian's redis-server for the limits' Redis tests), a production build, the cluster tests on that build (three instances behind HAProxy),
// then Playwright in Debian's Chromium — and one summary line.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";

type Outcome = { passed: number; failed: number };
type Suite = { name: string; run: () => Outcome };

const reportDir = ".tmp";
const vitestReport = `${reportDir}/vitest.json`;
const playwrightReport = `${reportDir}/playwright.json`;
const clusterReport = `${reportDir}/vitest-cluster.json`;
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// The same default as test/redis-server.ts, which the limits' Redis tests start.
const redisServer = process.env.REDIS_SERVER_PATH ?? "/usr/bin/redis-server";

function run(command: string, args: string[], env: Record<string, string> = {}): boolean {
  const result = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, ...env } });
  return result.status === 0;
}

function single(ok: boolean): Outcome {
  return ok ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
}

function readJson(file: string): Record<string, unknown> | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>) : undefined;
}

// A suite that dies before writing its report counts as one failure, so a crash is never a pass.
function fromReport(ok: boolean, counts: Outcome | undefined): Outcome {
  if (!counts) return { passed: 0, failed: 1 };
  if (!ok && counts.failed === 0) return { ...counts, failed: 1 };
  return counts;
}

function vitest(report = vitestReport, config: string[] = []): Outcome {
  rmSync(report, { force: true });
  const ok = run("npx", ["vitest", "run", ...config, "--reporter=default", "--reporter=json", `--outputFile.json=${report}`]);
  const json = readJson(report);
  const counts = json && {
    passed: Number(json.numPassedTests ?? 0),
    failed: Number(json.numFailedTests ?? 0),
  };
  return fromReport(ok, counts);
}

// Without redis-server the limits' Redis tests fail, each saying so; the rest of the suite still runs.
function unitAndIntegration(): Outcome {
  const outcome = vitest();
  if (!existsSync(redisServer)) console.error(`redis-server not found at ${redisServer}, so the Redis tests failed. Install it with: apt-get install -y redis-server`);
  return outcome;
}

function playwright(): Outcome {
  if (!existsSync(chromium)) {
    console.error(`Chromium not found at ${chromium}. Install it with: apt-get install -y chromium`);
    return { passed: 0, failed: 1 };
  }
  rmSync(playwrightReport, { force: true });
  const ok = run("npx", ["playwright", "test"], { CI: "1" });
  const stats = readJson(playwrightReport)?.stats as Record<string, number> | undefined;
  const counts = stats && { passed: stats.expected ?? 0, failed: (stats.unexpected ?? 0) + (stats.flaky ?? 0) };
  return fromReport(ok, counts);
}

const suites: Suite[] = [
  { name: "type check", run: () => single(run("npx", ["tsc", "--noEmit"])) },
  { name: "lint", run: () => single(run("npx", ["eslint", ".", "--max-warnings=0"])) },
  { name: "unit + integration", run: unitAndIntegration },
  // The compiled server (dist/server) and the Next.js build: what `npm start` and the container image run.
  { name: "production build", run: () => single(run("npm", ["run", "build"])) },
  // PostgreSQL, three instances of that build and HAProxy (test/cluster): `npm run test:cluster`.
  { name: "cluster", run: () => vitest(clusterReport, ["--config", "vitest.cluster.config.ts"]) },
  { name: "end-to-end", run: playwright },
];

mkdirSync(reportDir, { recursive: true });
const total: Outcome = { passed: 0, failed: 0 };
const lines: string[] = [];
for (const suite of suites) {
  console.log(`\n=== ${suite.name} ===`);
  const outcome = suite.run();
  total.passed += outcome.passed;
  total.failed += outcome.failed;
  lines.push(`${suite.name}: ${outcome.passed} passed, ${outcome.failed} failed`);
}
console.log(`\n${lines.join("\n")}`);
console.log(`${total.passed} passed, ${total.failed} failed`);
process.exit(total.failed === 0 ? 0 : 1);
