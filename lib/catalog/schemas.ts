import semver from "semver";
import { z } from "zod";
import { safeName, safeText } from "@/lib/text/unsafe-text";
import { queryText } from "@/lib/validation";

// Input schemas for the catalog, shared by server actions, the JSON API and its OpenAPI document.

export const environments = ["dev", "staging", "prod"] as const;
export const classifications = ["public", "internal", "confidential", "restricted"] as const;
export const riskTiers = ["low", "medium", "high", "critical"] as const;
export const versionStatuses = ["draft", "submitted", "in_review", "certified", "rejected", "deprecated", "retired"] as const;

export type EnvironmentName = (typeof environments)[number];

// Every text people type here is shown to other people: free text may span lines, names may not, and
// neither may carry control or bidirectional-override characters (lib/text/unsafe-text.ts).
const text = (label: string, max: number) =>
  z.string({ error: `${label} must be text.` }).trim().max(max, `${label} must be at most ${max} characters.`).pipe(safeText(label));
const requiredText = (label: string, max: number) =>
  z.string({ error: `${label} must be text.` }).trim().min(1, `${label} is required.`).max(max, `${label} must be at most ${max} characters.`).pipe(safeText(label));
const requiredName = (label: string, max: number) =>
  z.string({ error: `${label} must be text.` }).trim().min(1, `${label} is required.`).max(max, `${label} must be at most ${max} characters.`).pipe(safeName(label));

// The official MCP registry's server name pattern: reverse-DNS namespace, slash, name.
const serverNameSchema = z
  .string({ error: "Name is required." })
  .trim()
  .min(3, "Name is required, e.g. com.example/crm.")
  .max(200, "Name must be at most 200 characters.")
  .regex(/^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/, "Name must look like com.example/crm: a reverse-DNS namespace, a slash, and a name.");

const semverSchema = z
  .string({ error: "Version is required." })
  .trim()
  .max(64, "Version must be at most 64 characters.")
  .refine((value) => semver.valid(value) === value, "Version must be a semantic version such as 1.0.0 or 2.1.0-beta.1.");

const endpointUrlSchema = z
  .string({ error: "URL is required." })
  .trim()
  .min(1, "URL is required.")
  .max(2048, "URL must be at most 2048 characters.")
  .refine((value) => URL.canParse(value), "Enter a full URL such as https://mcp.example.com/mcp.");

// Header names per RFC 9110 token rules; values must not smuggle line breaks.
const credentialSchema = z.object({
  header: z
    .string()
    .trim()
    .min(1, "Header name is required.")
    .max(100, "Header name must be at most 100 characters.")
    .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "Header name may contain letters, digits and - only."),
  value: z
    .string()
    .min(1, "Header value is required.")
    .max(4096, "Header value must be at most 4096 characters.")
    .regex(/^[^\r\n]*$/, "Header value must be one line."),
});
export type CredentialInput = z.output<typeof credentialSchema>;

const dependencySchema = z.object({
  name: requiredName("Dependency name", 200),
  version: requiredName("Dependency version", 100),
});

const environmentSchema = z.enum(environments, { error: "Environment must be dev, staging or prod." });

const registrationSchema = z.object({
  title: requiredName("Title", 200),
  purpose: requiredText("Purpose", 5000),
  teamId: z.uuid({ error: "Choose an owning team." }),
  environments: z.array(environmentSchema).min(1, "Choose at least one environment."),
  classification: z.enum(classifications, { error: "Classification must be public, internal, confidential or restricted." }),
});

const dataHandlingSchema = z.object({
  dataMinimisation: text("Minimisation", 5000).default(""),
  dataMasking: text("Masking", 5000).default(""),
  sensitiveFields: z
    .array(z.string().trim().min(1).max(200).regex(/^[\w.$[\]-]+$/, "Sensitive fields are argument names such as ssn or customer.email."))
    .max(100)
    .default([]),
  dataRetention: text("Retention", 5000).default(""),
  dataConsent: text("Consent", 5000).default(""),
});

const riskPostureSchema = z.object({
  threatModel: text("Threat model", 20000).default(""),
  riskAppetite: text("Risk appetite", 5000).default(""),
  riskTier: z.enum(riskTiers, { error: "Risk tier must be low, medium, high or critical." }).nullable().default(null),
});

/** Authority boundaries: per environment, the tools that need a human approval before each call. */
export const approvalToolsSchema = z
  .partialRecord(environmentSchema, z.array(requiredName("A tool name", 200)).max(500))
  .default({});
export type ApprovalTools = z.output<typeof approvalToolsSchema>;

/** How the gateway authenticates to the server: the stored credential header, or a token it signs per request (decision 027). */
export const upstreamAuthModes = ["static", "minted"] as const;
const upstreamAuthSchema = z.enum(upstreamAuthModes, { error: "Upstream authentication must be static or minted." }).default("static");

export const serverDetailsSchema = registrationSchema
  .extend(dataHandlingSchema.shape)
  .extend(riskPostureSchema.shape)
  .extend({ approvalTools: approvalToolsSchema, upstreamAuth: upstreamAuthSchema });

export const versionInputSchema = z.object({
  version: semverSchema,
  dependencies: z.array(dependencySchema).max(500).default([]),
  mitigations: text("Mitigations", 20000).default(""),
});

export const registerServerSchema = serverDetailsSchema.extend({
  name: serverNameSchema,
  endpointUrl: endpointUrlSchema,
  credential: credentialSchema.optional(),
  version: versionInputSchema,
});

export const importTargetSchema = z.object({ endpointUrl: endpointUrlSchema, credential: credentialSchema.optional() });

const optionalFilter = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === "" || value === null ? undefined : value), schema.optional());

export const catalogQuerySchema = z.object({
  q: optionalFilter(queryText("Search", 200)),
  status: optionalFilter(z.enum(versionStatuses, { error: "Unknown status." })),
  riskTier: optionalFilter(z.enum(riskTiers, { error: "Unknown risk tier." })),
  classification: optionalFilter(z.enum(classifications, { error: "Unknown classification." })),
  teamId: optionalFilter(z.uuid({ error: "Unknown team." })),
  environment: optionalFilter(environmentSchema),
  name: optionalFilter(serverNameSchema),
});
export type CatalogQuery = z.output<typeof catalogQuerySchema>;

/** The longest result-cache TTL an owner may set (decision 035): a cached read is at most this stale. */
export const maxResultCacheTtlSeconds = 300;
/** The longest idempotency window an owner may set (decision 035): a day of retries. */
export const maxIdempotencyWindowSeconds = 86_400;

const wholeSeconds = (what: string, max: number) =>
  z.preprocess(
    (value) => (typeof value === "string" && /^\s*\d{1,12}\s*$/.test(value) ? Number(value) : value),
    z
      .number({ error: `${what} must be a whole number of seconds.` })
      .int(`${what} must be a whole number of seconds.`)
      .min(0, `${what} must be 0 (off) or more.`)
      .max(max, `${what} must be at most ${max} seconds.`),
  );

/** The owner's gateway settings of an entry (decision 035), changeable at any time: they widen nothing the review decided. */
export const hostPatternsSchema = z.strictObject(
  {
    resultCacheTtlSeconds: wholeSeconds("The result cache TTL", maxResultCacheTtlSeconds),
    idempotencyWindowSeconds: wholeSeconds("The idempotency window", maxIdempotencyWindowSeconds),
  },
  { error: (issue) => (issue.code === "unrecognized_keys" ? `Unknown setting: ${issue.keys.join(", ")}.` : "The settings must be an object.") },
);
export type HostPatterns = z.output<typeof hostPatternsSchema>;
