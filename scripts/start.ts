// `npm start`: database (embedded unless DATABASE_URL), migrations, first administrator, then Next.js.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { readEnv } from "@/lib/config/env";
import { encryptionKey, prepareDatabase, sessionSecret } from "@/lib/runtime/boot";
import { describeOutboundRule, outboundRule } from "@/lib/settings/outbound";
import { ensureSigningKey } from "@/lib/signing/keys";
import { ensureFirstAdmin } from "@/lib/users/credentials";

const log = (line: string) => console.log(`[toolgate] ${line}`);
const dev = process.argv.includes("--dev");

// The production server beside this file: dist/server/serve.js under `npm start` (compiled, plain node),
// scripts/serve.ts through tsx when this file runs from source (the e2e tests, `npm run dev`).
function serveCommand(): string[] {
  const self = fileURLToPath(import.meta.url);
  return self.endsWith(".ts") ? ["--import", "tsx", self.replace(/start\.ts$/, "serve.ts")] : [self.replace(/start\.js$/, "serve.js")];
}

function run(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn("npx", ["next", ...args], { stdio: "inherit", env });
}

async function main() {
  const settings = readEnv();
  const database = await prepareDatabase(settings, log);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: database.url,
    NEXTAUTH_SECRET: await sessionSecret(settings),
    TOOLGATE_ENCRYPTION_KEY: await encryptionKey(settings),
    NEXTAUTH_URL: settings.NEXTAUTH_URL ?? `http://localhost:${settings.PORT}`,
  };
  process.env.DATABASE_URL = database.url;
  process.env.TOOLGATE_ENCRYPTION_KEY = env.TOOLGATE_ENCRYPTION_KEY;
  const signingKey = await ensureSigningKey();
  log(`Signing manifests with key ${signingKey.id} (${signingKey.source === "environment" ? "from TOOLGATE_SIGNING_KEY" : signingKey.source}).`);

  const admin = await ensureFirstAdmin({
    email: settings.TOOLGATE_ADMIN_EMAIL,
    password: settings.TOOLGATE_ADMIN_PASSWORD,
  });
  if (admin?.generatedPassword) {
    log(`First administrator created: ${admin.email} / ${admin.generatedPassword}`);
    log("This password is shown only now; change it under Your account after signing in.");
  } else if (admin) log(`First administrator created: ${admin.email} (password from TOOLGATE_ADMIN_PASSWORD).`);

  // Judged as the server will run: in production unless --dev, listening on HOST.
  const serverEnv = { ...process.env, NODE_ENV: dev ? "development" : "production", HOST: settings.HOST };
  log(describeOutboundRule(await outboundRule(undefined, serverEnv)));

  const children: ChildProcess[] = [];
  // The app flushes its audit queue when it stops, so the database stops only after the app has.
  const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once("exit", () => resolve())));
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const child of children) child.kill("SIGTERM");
    await Promise.all(children.map(exited));
    await database.stop();
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  if (!dev && !existsSync(".next/BUILD_ID")) {
    log("No production build yet: running `next build` once.");
    const build = run(["build"], env);
    children.push(build);
    const code = await new Promise<number>((resolve) => build.on("exit", (c) => resolve(c ?? 1)));
    if (code !== 0) return shutdown(code);
  }
  const port = String(settings.PORT);
  // Production serves the gateway ahead of Next.js (serve.ts); `next dev` serves it through the route handler.
  const server = dev
    ? run(["dev", "-p", port, "-H", settings.HOST], env)
    : spawn(process.execPath, serveCommand(), { stdio: "inherit", env: { ...env, NODE_ENV: "production", PORT: port, HOST: settings.HOST } });
  children.push(server);
  log(`Serving on http://localhost:${port}`);
  server.on("exit", (code) => void shutdown(code ?? 0));
}

main().catch((error: Error) => {
  console.error(`[toolgate] Start failed: ${error.message}`);
  process.exit(1);
});
