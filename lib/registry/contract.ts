import { z } from "zod";
import { errorBodyNamed } from "@/lib/api/error-body";
import { classifications, environments, riskTiers } from "@/lib/catalog/schemas";
import { evidenceKinds } from "@/lib/evidence/records";
import { killScopes } from "@/lib/killswitch/types";
import { hasUnsafeCharacters } from "@/lib/text/unsafe-text";

// The registry API's shapes, following the official MCP Registry API v0.1 (modelcontextprotocol/registry,
// docs/reference/api/openapi.yaml): the handlers build these and the OpenAPI document is generated
// from them. The tests check the same responses against the official schemas themselves
// (test/fixtures/registry).

export const serverSchemaUrl = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";
export const officialMetaKey = "io.modelcontextprotocol.registry/official";
export const governanceMetaKey = "io.toolgate/governance";
/** The meta key of a bundle's entry (lib/registry/bundles.ts), in place of the governance facts of a server's. */
export const bundleMetaKey = "io.toolgate/bundle";

/** The official schema's limits: server.json `description` and `title` are 1–100 characters. */
export const descriptionMaxLength = 100;
export const defaultPageSize = 30;
const maxPageSize = 100;

// The official server name pattern: reverse-DNS namespace, one slash, name.
export const officialNamePattern = /^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/;

const timestamp = z.iso.datetime();
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

export const errorBody = errorBodyNamed("RegistryError");

const remote = z.object({
  type: z.literal("streamable-http"),
  url: z.url().describe("Toolgate's gateway, never the server's own endpoint."),
  headers: z.array(
    z.object({ name: z.string(), description: z.string(), isRequired: z.boolean(), isSecret: z.boolean() }),
  ),
});

/** A server.json (schema 2025-12-11) describing one certified version, reachable through the gateway. */
export const serverJson = z
  .object({
    $schema: z.literal(serverSchemaUrl),
    name: z.string().min(3).max(200).regex(officialNamePattern),
    description: z.string().min(1).max(descriptionMaxLength),
    title: z.string().min(1).max(descriptionMaxLength).optional(),
    version: z.string().max(255),
    remotes: z.array(remote),
  })
  .meta({ id: "RegistryServerJson" });

const officialMeta = z
  .object({
    status: z.enum(["active", "deprecated"]).describe("deprecated: certified once, now deprecated and not yet retired."),
    publishedAt: timestamp.describe("When the version was certified."),
    updatedAt: timestamp,
    isLatest: z.boolean().describe("The newest version this caller may see (a deprecated one only when no other is left)."),
  })
  .meta({ id: "RegistryOfficialMeta" });

const governanceMeta = z
  .object({
    riskTier: z.enum(riskTiers).nullable(),
    classification: z.enum(classifications),
    certification: z.object({
      state: z.enum(["certified", "deprecated"]),
      certifiedAt: timestamp.nullable(),
      deprecatedAt: timestamp.nullable(),
      sunsetAt: timestamp.nullable(),
    }),
    environments: z.array(z.enum(environments)).describe("The environments this version is promoted (pinned) to."),
    tools: z.array(
      z.object({
        name: z.string(),
        definitionHash: sha256Hex,
        requiresApproval: z.boolean().describe("In the caller's environment; for anonymous readers, in any environment."),
        approvalEnvironments: z.array(z.enum(environments)),
      }),
    ),
    evidenceSummary: z.object({
      total: z.number().int(),
      byKind: z.partialRecord(z.enum(evidenceKinds), z.number().int()),
      items: z.array(z.object({ kind: z.enum(evidenceKinds), sha256: sha256Hex })),
    }),
    manifest: z
      .object({ signature: z.string(), keyId: z.string(), manifest: z.record(z.string(), z.unknown()) })
      .nullable()
      .describe("The signed certification manifest; verify with /.well-known/toolgate-signing-keys."),
    killed: z
      .array(z.object({ scope: z.enum(killScopes), toolName: z.string().nullable(), engagedAt: timestamp }))
      .describe("Engaged kill switches that stop calls to this version or some of its tools."),
  })
  .meta({ id: "RegistryGovernanceMeta" });

const bundleMeta = z
  .object({
    bundle: z.string().describe("The bundle's own name, as in /mcp/bundles/{name}."),
    number: z.number().int().describe("The certified version served."),
    tools: z
      .array(z.object({ name: z.string().describe("Its name on the bundle's endpoint."), server: z.string(), tool: z.string() }))
      .describe("What the bundle holds; an agent is served those of them it may use."),
  })
  .meta({ id: "RegistryBundleMeta" });

export const serverResponse = z
  .object({
    server: serverJson,
    _meta: z.object({
      [officialMetaKey]: officialMeta,
      [governanceMetaKey]: governanceMeta.optional().describe("Present on a catalog entry's versions."),
      [bundleMetaKey]: bundleMeta.optional().describe("Present on a bundle's versions, whose remote is the bundle's endpoint."),
    }),
  })
  .meta({ id: "RegistryServerResponse" });

export const serverList = z
  .object({
    servers: z.array(serverResponse),
    metadata: z.object({
      nextCursor: z.string().optional().describe("Absent on the last page."),
      count: z.number().int(),
    }),
  })
  .meta({ id: "RegistryServerList" });

export type ServerJson = z.output<typeof serverJson>;
export type ServerResponse = z.output<typeof serverResponse>;
export type ServerList = z.output<typeof serverList>;
export type GovernanceMeta = z.output<typeof governanceMeta>;

// ---- Requests ----

// Query values arrive as text; an empty one counts as absent, as in the catalog API.
const absentIfEmpty = (value: unknown) => (value === "" ? undefined : value);
const limitMessage = `limit must be a whole number from 1 to ${maxPageSize}.`;

/** A version in a query or a path: `latest`, or a semantic version's characters (with `+` build metadata). */
export const versionText = z
  .string()
  .max(64, "A version is at most 64 characters.")
  .regex(/^[0-9A-Za-z.+-]+$/, "A version is `latest` or a semantic version such as 1.2.3.")
  .refine((value) => !value.includes(".."), "A version is `latest` or a semantic version such as 1.2.3.");

const grantedFlag = z.preprocess(
  absentIfEmpty,
  z
    .enum(["true", "false"], { error: "granted must be true or false." })
    .transform((value) => value === "true")
    .optional()
    .describe("true: only servers the calling agent holds an active grant for (needs an agent key)."),
);

export const listQuery = z.object({
  cursor: z.preprocess(absentIfEmpty, z.string().max(1024, "The cursor is not one this registry issued.").optional().describe("Opaque; metadata.nextCursor of the previous page.")),
  limit: z.preprocess(
    absentIfEmpty,
    z
      .string()
      .regex(/^\d{1,6}$/, limitMessage)
      .transform(Number)
      .pipe(z.number().int().min(1, limitMessage).max(maxPageSize, limitMessage))
      .optional()
      .meta({
        description: `Page size, 1–${maxPageSize}; ${defaultPageSize} when absent.`,
        // Documented as the integer it means, as in the official API, rather than as the text it arrives as.
        override: ({ jsonSchema }) => {
          delete jsonSchema.pattern;
          Object.assign(jsonSchema, { type: "integer", minimum: 1, maximum: maxPageSize, default: defaultPageSize });
        },
      }),
  ),
  search: z.preprocess(
    absentIfEmpty,
    z
      .string()
      .max(200, "search must be at most 200 characters.")
      .refine((value) => !hasUnsafeCharacters(value, { singleLine: true }), "search must not contain control characters.")
      .optional()
      .describe("Substring of the server name, case-insensitive."),
  ),
  updated_since: z.preprocess(
    absentIfEmpty,
    z.iso
      .datetime({ offset: true, error: "updated_since must be an RFC 3339 time such as 2025-08-07T13:15:04.280Z." })
      .transform((value) => new Date(value))
      .optional(),
  ),
  version: z.preprocess(absentIfEmpty, versionText.optional().describe("`latest` for each server's latest version, or an exact version.")),
  granted: grantedFlag,
});
export type ListQuery = z.output<typeof listQuery>;

export const versionsQuery = z.object({ granted: grantedFlag });

export const serverNameParams = z.object({
  serverName: z.string().meta({ description: "URL-encoded server name.", example: "com.example%2Fcrm" }),
});
export const versionParams = serverNameParams.extend({
  version: z.string().meta({ description: "URL-encoded version, or `latest`.", example: "1.0.0" }),
});
