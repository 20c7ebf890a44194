// Runs once when the Next.js server starts: background duties of the app process.
export async function register() {
  // NEXT_RUNTIME is Next.js's own, not a setting: the configuration module is Node-only.
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env } = await import("@/lib/config/env");
  if (!env("DATABASE_URL")) return;
  const { startBackgroundDuties } = await import("@/lib/runtime/background");
  await startBackgroundDuties();
}
