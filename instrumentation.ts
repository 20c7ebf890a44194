// Runs once when the Next.js server starts: background duties of the app process.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs" || !process.env.DATABASE_URL) return;
  const { startBackgroundDuties } = await import("@/lib/runtime/background");
  await startBackgroundDuties();
}
