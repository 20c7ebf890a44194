import path from "node:path";
import ipaddr from "ipaddr.js";
import { z } from "zod";

// Every environment variable Toolgate reads, in one schema (the README's Settings table). `npm start`
// and the production server validate all of them before anything starts (readEnv), so a bad value
// stops the start with one line naming it. Code reads a variable through `env(name)`: parsed on first
// use and again only when its raw value changes, so the gateway's hot path pays one lookup, not a
// parse, and tests that set process.env at run time still see their value.
// Empty counts as unset everywhere, so a caller can clear a variable to get its default.

/** The raw variables: process.env, or a test's own. */
export type RawEnv = Record<string, string | undefined>;

const unsetIfEmpty = (value: unknown) => (value === "" ? undefined : value);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(unsetIfEmpty, schema.optional());
// prefault: the default goes through the schema too, so "false" and "" come out as a boolean and a list.
const withDefault = <T extends z.ZodType>(schema: T, fallback: z.input<T>) => z.preprocess(unsetIfEmpty, schema.prefault(fallback as never));

const port = z.coerce.number().int().min(1).max(65535);
const positiveWhole = z.coerce
  .number({ error: "must be a positive whole number" })
  .int("must be a positive whole number")
  .positive("must be a positive whole number");

const loopbackRanges = ["127.0.0.0/8", "::1/128"];

/** TOOLGATE_OUTBOUND_ALLOW: comma-separated CIDRs, `loopback` or `none`, as the list of CIDRs. */
const outboundAllow = z.string().transform((setting, ctx) => {
  const allow: string[] = [];
  for (const raw of setting.split(",")) {
    const entry = raw.trim();
    if (entry === "" || entry === "none") continue;
    if (entry === "loopback") allow.push(...loopbackRanges);
    else if (ipaddr.isValidCIDR(entry)) allow.push(entry);
    else {
      ctx.addIssue({
        code: "custom",
        message: `invalid entry "${entry}": expected a CIDR such as 10.0.0.0/8, "loopback" or "none".`,
      });
      return z.NEVER;
    }
  }
  return allow;
});

/**
 * REDIS_URL: redis:// or rediss:// (TLS), a host, and at most a database number as the path. The
 * messages never repeat the value: it may hold a password.
 */
const redisUrlExample = "e.g. redis://:password@redis.example.com:6379/0, or rediss:// for TLS";
const redisUrl = z.string().superRefine((setting, ctx) => {
  // URL parsing drops tabs and line breaks silently; a value holding them was not written on purpose.
  if (/[\u0000-\u0020\u007f]/.test(setting)) {
    ctx.addIssue({ code: "custom", message: "must not contain spaces or control characters" });
    return;
  }
  if (!/^rediss?:\/\//i.test(setting)) {
    ctx.addIssue({ code: "custom", message: `must start with redis:// or rediss://, ${redisUrlExample}` });
    return;
  }
  let url: URL;
  try {
    url = new URL(setting);
  } catch {
    ctx.addIssue({ code: "custom", message: `is not a valid URL, ${redisUrlExample}` });
    return;
  }
  if (url.hostname === "") {
    ctx.addIssue({ code: "custom", message: `must name a host, ${redisUrlExample}` });
  } else if (!/^\/?(\d+)?$/.test(url.pathname)) {
    ctx.addIssue({ code: "custom", message: `may have only a database number as its path (/0), ${redisUrlExample}` });
  }
});

/** A comma-separated list of names, trimmed and lower-cased. */
const hostList = z.string().transform((setting) => setting.split(",").map((host) => host.trim().toLowerCase()).filter(Boolean));

export const envSchema = z.object({
  NODE_ENV: optional(z.string()),
  DATABASE_URL: optional(z.string().regex(/^postgres(ql)?:\/\//, "DATABASE_URL must be a postgresql:// URL")),
  PORT: withDefault(port, 3000),
  HOST: withDefault(z.string(), "127.0.0.1"),
  // The loopback port Next.js listens on behind the front server; a free one when unset.
  TOOLGATE_NEXT_PORT: optional(port),
  TOOLGATE_DATA_DIR: withDefault(z.string(), "data"),
  TOOLGATE_PG_PORT: withDefault(port, 54329),
  TOOLGATE_ADMIN_EMAIL: optional(z.string()),
  TOOLGATE_ADMIN_PASSWORD: optional(z.string()),
  NEXTAUTH_SECRET: optional(z.string().min(32, "NEXTAUTH_SECRET must be at least 32 characters")),
  // The public URL of the app (lib/net/public-origin.ts).
  NEXTAUTH_URL: optional(z.url()),
  TOOLGATE_ENCRYPTION_KEY: optional(z.string().min(32, "TOOLGATE_ENCRYPTION_KEY must be at least 32 characters")),
  // True: NEXTAUTH_SECRET and TOOLGATE_ENCRYPTION_KEY must be set, none is generated into the data folder
  // (the container image sets it: docs/decisions/037).
  TOOLGATE_SECRETS_FROM_ENV: withDefault(z.stringbool({ error: "TOOLGATE_SECRETS_FROM_ENV must be true or false." }), "false"),
  // Private ranges importing and the gateway may reach. Set, it wins over the rule on /admin; unset, an
  // administrator's rule or the default: loopback in development, and in production while HOST is
  // loopback (lib/settings/outbound.ts). The one variable where empty is not unset: it means none.
  TOOLGATE_OUTBOUND_ALLOW: outboundAllow.optional(),
  // The Ed25519 key as PKCS#8 PEM; lib/signing/keys.ts checks the key itself.
  TOOLGATE_SIGNING_KEY: optional(z.string().trim().transform((pem) => pem || undefined)),
  // With a token, /api/metrics wants it as a bearer token; unset (or blank), the metrics are open.
  TOOLGATE_METRICS_TOKEN: optional(z.string().transform((token) => token.trim() || undefined)),
  /**
   * How old the last look at a backend's tools may be before a call to one of its tools that is not
   * read-only, or needs approval, re-lists them first (0: before every such call; at most the 5-minute sweep).
   */
  TOOLGATE_DRIFT_RECHECK_SECONDS: withDefault(
    z.coerce.number().int("must be a whole number of seconds").min(0, "must be at least 0").max(300, "must be at most 300 (the scheduled sweep)"),
    30,
  ),
  /**
   * The most of a resource's content resources/read passes on through the gateway, in bytes (text as UTF-8,
   * blobs as their base64); beyond it the content is cut and the result says so (decision 032).
   */
  TOOLGATE_RESOURCE_MAX_BYTES: withDefault(
    z.coerce.number().int("must be a whole number of bytes").min(1024, "must be at least 1024").max(8 * 1024 * 1024, "must be at most 8388608 (the backend answer limit is 10 MB)"),
    1024 * 1024,
  ),
  // Whether a reverse proxy in front sets X-Forwarded-Host/-Proto/-For; without it they are ignored.
  TOOLGATE_TRUST_PROXY: withDefault(z.stringbool({ error: "TOOLGATE_TRUST_PROXY must be true or false." }), "false"),
  // Names besides NEXTAUTH_URL's host that the gateway answers as (host or host:port).
  TOOLGATE_GATEWAY_ALLOWED_HOSTS: withDefault(hostList, ""),
  // Call limits of the gateway, shared by every instance (lib/gateway/limits.ts).
  TOOLGATE_RATE_AGENT_PER_SECOND: withDefault(positiveWhole, 200),
  TOOLGATE_RATE_TOOL_PER_SECOND: withDefault(positiveWhole, 100),
  TOOLGATE_QUOTA_AGENT_PER_DAY: withDefault(positiveWhole, 100_000),
  // How many instances share the limits: while the shared store does not answer, each counts limit ÷ this (decision 039).
  TOOLGATE_EXPECTED_INSTANCES: withDefault(positiveWhole, 1),
  // Set, the limits are shared through this Redis instead of PostgreSQL (decision 039, 2026-12-01).
  REDIS_URL: optional(redisUrl),
  // Tool search (lib/discovery): an OpenAI-compatible embeddings API's base URL (Toolgate posts to
  // {base}/embeddings, e.g. https://api.openai.com/v1), the model, and the bearer key if it wants one.
  // Unset, search ranks by PostgreSQL full-text search alone. Reached through the outbound rule.
  TOOLGATE_EMBEDDINGS_URL: optional(z.url({ protocol: /^https?$/, error: "TOOLGATE_EMBEDDINGS_URL must be an http(s) URL, e.g. https://api.openai.com/v1" })),
  TOOLGATE_EMBEDDINGS_MODEL: withDefault(z.string().trim().min(1).max(200), "text-embedding-3-small"),
  TOOLGATE_EMBEDDINGS_API_KEY: optional(z.string().trim().transform((key) => key || undefined)),
  // Single sign-on; when OIDC_ISSUER is set the client id and secret are required too (oidcSettings).
  OIDC_ISSUER: optional(z.url({ error: "OIDC_ISSUER must be the issuer URL, e.g. https://login.example.com/realms/acme" })),
  OIDC_CLIENT_ID: optional(z.string()),
  OIDC_CLIENT_SECRET: optional(z.string()),
  OIDC_NAME: withDefault(z.string(), "Single sign-on"),
  // This instance's name in a cluster (job runs, suspended calls, audit checkpoints); unset, `${hostname}-${pid}` (lib/runtime/instance.ts).
  TOOLGATE_INSTANCE_ID: optional(
    z
      .string()
      .trim()
      .min(1)
      .max(200, "must be at most 200 characters")
      .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces, e.g. toolgate-0"),
  ),
  // Whether this replica claims periodic jobs (decision 040); an operator may turn it off on replicas that should
  // only serve. Under `npm start` the Next.js process claims them, never the front server (the gateway's hot path).
  TOOLGATE_JOBS: withDefault(z.stringbool({ truthy: ["on", "true"], falsy: ["off", "false"], error: "TOOLGATE_JOBS must be on or off." }), "on"),
  // Overrides every periodic job's period, in milliseconds (tests and operators; decision 040).
  TOOLGATE_JOB_PERIOD_MS: optional(positiveWhole.max(86_400_000, "must be at most 86400000 (a day)")),
});

export type Env = z.output<typeof envSchema>;
export type EnvName = keyof Env;
/** The whole environment as start-up validated it, with the data folder resolved. */
export type StartEnv = Env & { dataDir: string };

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  name: string;
}

const issueLine = (issue: z.core.$ZodIssue) => `${issue.path.join(".")}: ${issue.message}`;

function oidcProblems(settings: Pick<Env, "OIDC_ISSUER" | "OIDC_CLIENT_ID" | "OIDC_CLIENT_SECRET">): string[] {
  if (!settings.OIDC_ISSUER) return [];
  return (["OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"] as const).filter((name) => !settings[name]).map((name) => `${name} is required when OIDC_ISSUER is set`);
}

/**
 * Every variable at once, with the data folder resolved; called at start. A bad value throws one
 * error listing each problem on its own line, naming the variable.
 */
export function readEnv(raw: RawEnv = process.env): StartEnv {
  const parsed = envSchema.safeParse(raw);
  const problems = parsed.success ? oidcProblems(parsed.data).map((problem) => `OIDC: ${problem}`) : parsed.error.issues.map(issueLine);
  if (!parsed.success || problems.length > 0) throw new Error(`Invalid settings:\n  ${problems.join("\n  ")}`);
  return { ...parsed.data, dataDir: path.resolve(parsed.data.TOOLGATE_DATA_DIR) };
}

const memo = new Map<EnvName, { raw: string | undefined; value: unknown }>();

/**
 * One variable, typed. Parsed on first use and again only when its raw value changes (tests set
 * process.env at run time); a bad value throws "Invalid NAME: why".
 */
export function env<N extends EnvName>(name: N, raw: RawEnv = process.env): Env[N] {
  const value = raw[name];
  const known = memo.get(name);
  if (known && known.raw === value) return known.value as Env[N];
  const parsed = envSchema.shape[name].safeParse(value);
  if (!parsed.success) throw new Error(`Invalid ${name}: ${parsed.error.issues.map((issue) => issue.message).join("; ")}`);
  memo.set(name, { raw: value, value: parsed.data });
  return parsed.data as Env[N];
}

/** Some variables at once, as zod reports them (for callers that word their own error). */
export function parseEnvPart<N extends EnvName>(names: readonly N[], raw: RawEnv = process.env): z.ZodSafeParseResult<Pick<Env, N>> {
  const mask: Partial<Record<EnvName, true>> = Object.fromEntries(names.map((name) => [name, true]));
  return envSchema.pick(mask).safeParse(raw) as z.ZodSafeParseResult<Pick<Env, N>>;
}

/** The single sign-on settings, or null when OIDC_ISSUER is unset; incomplete ones throw saying what is missing. */
export function oidcSettings(raw: RawEnv = process.env): OidcSettings | null {
  if (!raw.OIDC_ISSUER) return null;
  const parsed = parseEnvPart(["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_NAME"], raw);
  const messages = parsed.success ? oidcProblems(parsed.data) : parsed.error.issues.map((issue) => issue.message);
  if (!parsed.success || messages.length > 0) throw new Error(`OIDC settings: ${messages.join("; ")}`);
  const { OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_NAME } = parsed.data;
  return { issuer: OIDC_ISSUER!, clientId: OIDC_CLIENT_ID!, clientSecret: OIDC_CLIENT_SECRET!, name: OIDC_NAME };
}

/** The path of a file in the data folder (TOOLGATE_DATA_DIR, resolved as start-up resolves it). */
export function dataFile(name: string, raw: RawEnv = process.env): string {
  return path.join(path.resolve(env("TOOLGATE_DATA_DIR", raw)), name);
}
