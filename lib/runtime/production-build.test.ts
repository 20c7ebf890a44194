import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { buildServer } from "@/scripts/build-server.mjs";
import { staleBuilds } from "@/scripts/launch.mjs";

// `npm start` runs compiled JavaScript (docs/decisions/037): scripts/build-server.mjs compiles the server's
// entry points with esbuild, scripts/launch.mjs rebuilds what is older than the sources, then runs node.

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../..");
const folders: string[] = [];
afterAll(() => Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true }))));

async function touch(file: string, seconds: number) {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, "");
  await utimes(file, seconds, seconds);
}

describe("what npm start rebuilds", () => {
  it("builds both when missing, neither when newer than the sources, and ignores tests", async () => {
    const base = await mkdtemp(path.join(os.tmpdir(), "toolgate-launch-"));
    folders.push(base);
    await touch(path.join(base, "lib", "gateway", "http.ts"), 1_000);
    await touch(path.join(base, "app", "page.tsx"), 1_100);
    expect(staleBuilds(base)).toEqual(["server", "next"]);

    await touch(path.join(base, "dist", "server", "start.js"), 2_000);
    await touch(path.join(base, ".next", "BUILD_ID"), 2_000);
    expect(staleBuilds(base)).toEqual([]);

    await touch(path.join(base, "lib", "gateway", "http.test.ts"), 3_000);
    await touch(path.join(base, "app", "admin", "page.spec.ts"), 3_000);
    expect(staleBuilds(base)).toEqual([]);

    await touch(path.join(base, "components", "nav.tsx"), 2_500);
    await touch(path.join(base, "dist", "server", "start.js"), 3_000);
    expect(staleBuilds(base)).toEqual(["next"]);

    await touch(path.join(base, "package-lock.json"), 4_000);
    expect(staleBuilds(base)).toEqual(["server", "next"]);
  });
});

describe("the compiled server", () => {
  it("runs with plain node: migrate.js applies nothing twice and refuses without DATABASE_URL", async () => {
    // Inside the repository, so the compiled code finds node_modules as dist/server does.
    const outDir = path.join(root, ".tmp", `dist-test-${process.pid}`);
    folders.push(outDir);
    const packages = await buildServer(outDir);
    expect(packages).toEqual(expect.arrayContaining(["pg", "next/server.js", "@prisma/client/runtime/client"]));
    expect(packages).not.toContain("tsx");

    const bare: NodeJS.ProcessEnv = { PATH: process.env.PATH, NODE_ENV: "production" };
    const env = { ...bare, DATABASE_URL: process.env.DATABASE_URL };
    const migrated = await run(process.execPath, [path.join(outDir, "migrate.js")], { cwd: root, env });
    expect(migrated.stdout.trim()).toBe("Up to date.");

    const refused = await run(process.execPath, [path.join(outDir, "migrate.js")], { cwd: root, env: bare }).catch((error: { code: number; stderr: string }) => error);
    expect(refused).toMatchObject({ code: 1, stderr: "Set DATABASE_URL to the database to migrate.\n" });
  }, 60_000);
});
