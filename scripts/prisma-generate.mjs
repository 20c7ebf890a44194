// Runs `prisma generate` offline. The Prisma CLI looks for its schema engine at start even though
// `generate` never runs it, and this machine cannot download it: pointing the variable at any
// existing file satisfies the lookup (see ../shared/STACK-NOTES.md and docs/decisions/002).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(import.meta.url);
const result = spawnSync("npx", ["prisma", "generate"], { stdio: "inherit", env });
process.exit(result.status ?? 1);
