// `npm start`: builds what is missing or older than the sources (the compiled server in dist/server, the
// Next.js build in .next), then runs the compiled start (scripts/start.ts: database, migrations, first
// administrator, the server) with plain node. A fresh clone needs `npm ci` and `npm start`, nothing else.
// The container image runs dist/server/start.js directly: it has no sources to compare with.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const log = (line) => console.log(`[toolgate] ${line}`);

// What either build reads. Tests are left out: changing one rebuilds nothing.
const sourceDirs = ["app", "components", "lib", "scripts", "types"];
const sourceFiles = ["proxy.ts", "instrumentation.ts", "next.config.ts", "postcss.config.mjs", "tsconfig.json", "package.json", "package-lock.json"];
const isTest = (name) => /\.(test|spec)\.tsx?$/.test(name);

function mtimeOf(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function newestIn(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestIn(full));
    else if (!isTest(entry.name)) newest = Math.max(newest, mtimeOf(full));
  }
  return newest;
}

/** The newest modification time among the sources the builds read (0 when there are none). */
export function newestSource(base = root) {
  return Math.max(...sourceDirs.map((dir) => newestIn(path.join(base, dir))), ...sourceFiles.map((file) => mtimeOf(path.join(base, file))));
}

/** Which builds are missing or older than the sources: "server" (dist/server), "next" (.next). */
export function staleBuilds(base = root) {
  const sources = newestSource(base);
  const stale = [];
  const server = mtimeOf(path.join(base, "dist", "server", "start.js"));
  if (server === 0 || server < sources) stale.push("server");
  const next = mtimeOf(path.join(base, ".next", "BUILD_ID"));
  if (next === 0 || next < sources) stale.push("next");
  return stale;
}

function runStep(description, args) {
  log(description);
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  if (result.status !== 0) {
    console.error(`[toolgate] Start failed: ${description.replace(/\.$/, "")} exited with ${result.status ?? result.signal}.`);
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const stale = staleBuilds();
  if (stale.includes("server")) runStep("Compiling the server (dist/server).", [path.join(root, "scripts", "build-server.mjs")]);
  if (stale.includes("next")) runStep("Building the app with `next build` (once, and again after the sources change).", [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"]);
  await import(pathToFileURL(path.join(root, "dist", "server", "start.js")).href);
}
