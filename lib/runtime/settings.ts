import path from "node:path";
import { z } from "zod";
import { trustProxySchema } from "@/lib/net/public-origin";

const port = z.coerce.number().int().min(1).max(65535);

/**
 * TOOLGATE_DRIFT_RECHECK_SECONDS: how old the last look at a backend's tools may be before a call to one
 * of its tools that is not read-only, or needs approval, re-lists them first (0: before every such call;
 * at most the 5-minute sweep). Empty counts as unset. The gateway reads it on its own (lib/gateway/backends.ts).
 */
export const driftRecheckSeconds = z.preprocess(
  (value) => (value === "" ? undefined : value),
  z.coerce.number().int("must be a whole number of seconds").min(0, "must be at least 0").max(300, "must be at most 300 (the scheduled sweep)").default(30),
);

const settingsSchema = z.object({
  // Empty counts as unset, so a caller can switch the embedded database on by clearing the variable.
  DATABASE_URL: z
    .string()
    .transform((url) => url || undefined)
    .pipe(z.string().regex(/^postgres(ql)?:\/\//, "DATABASE_URL must be a postgresql:// URL").optional())
    .optional(),
  PORT: port.default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  // The loopback port Next.js listens on behind the front server; a free one when unset.
  TOOLGATE_NEXT_PORT: port.optional(),
  TOOLGATE_DATA_DIR: z.string().min(1).default("data"),
  TOOLGATE_PG_PORT: port.default(54329),
  TOOLGATE_ADMIN_EMAIL: z.string().optional(),
  TOOLGATE_ADMIN_PASSWORD: z.string().optional(),
  NEXTAUTH_SECRET: z.string().min(32, "NEXTAUTH_SECRET must be at least 32 characters").optional(),
  NEXTAUTH_URL: z.url().optional(),
  // Whether a reverse proxy in front sets X-Forwarded-Host/-Proto/-For; without it they are ignored.
  TOOLGATE_TRUST_PROXY: trustProxySchema,
  TOOLGATE_ENCRYPTION_KEY: z.string().min(32, "TOOLGATE_ENCRYPTION_KEY must be at least 32 characters").optional(),
  TOOLGATE_DRIFT_RECHECK_SECONDS: driftRecheckSeconds,
});

export type Settings = z.output<typeof settingsSchema> & { dataDir: string };

/** Start-up settings from the environment; a bad value stops the start with a message naming it. */
export function readSettings(env: Record<string, string | undefined> = process.env): Settings {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n  ");
    throw new Error(`Invalid settings:\n  ${problems}`);
  }
  return { ...parsed.data, dataDir: path.resolve(parsed.data.TOOLGATE_DATA_DIR) };
}
