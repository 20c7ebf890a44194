import { z } from "zod";
import {
  catalogQuerySchema,
  classifications,
  environments,
  registerServerSchema,
  riskTiers,
  upstreamAuthModes,
  versionInputSchema,
  versionStatuses,
} from "@/lib/catalog/schemas";
import { queryText } from "@/lib/validation";
import { errorBodyNamed } from "./error-body";

// The JSON catalog API's shapes. Requests reuse the domain's input schemas; responses are described
// here so the OpenAPI document is generated from the same zod schemas the handlers use.

const jsonObject = z.record(z.string(), z.unknown());

export const errorBody = errorBodyNamed("Error");

const serverSummary = z
  .object({
    id: z.uuid(),
    name: z.string(),
    title: z.string(),
    purpose: z.string(),
    classification: z.enum(classifications),
    riskTier: z.enum(riskTiers).nullable(),
    environments: z.array(z.enum(environments)),
    teamName: z.string(),
    latestVersion: z.string().nullable(),
    status: z.enum(versionStatuses).nullable(),
    toolCount: z.number().int(),
  })
  .meta({ id: "ServerSummary" });

export const serverList = z.object({ servers: z.array(serverSummary) }).meta({ id: "ServerList" });

export const versionSummary = z
  .object({
    version: z.string(),
    status: z.enum(versionStatuses),
    declaredName: z.string(),
    declaredVersion: z.string(),
    protocolVersion: z.string(),
    dependencies: z.array(z.object({ name: z.string(), version: z.string() })),
    mitigations: z.string(),
    createdAt: z.iso.datetime(),
    submittedAt: z.iso.datetime().nullable(),
    counts: z.object({ tools: z.number().int(), resources: z.number().int(), prompts: z.number().int() }),
  })
  .meta({ id: "VersionSummary" });

export const serverEntry = z
  .object({
    id: z.uuid(),
    name: z.string(),
    title: z.string(),
    purpose: z.string(),
    team: z.object({ id: z.uuid(), name: z.string() }),
    owners: z.array(z.object({ id: z.uuid(), name: z.string(), email: z.string() })),
    environments: z.array(z.enum(environments)),
    classification: z.enum(classifications),
    endpointUrl: z.string(),
    credential: z.object({ header: z.string(), hint: z.string() }).nullable().describe("Never the secret itself."),
    upstreamAuth: z.enum(upstreamAuthModes).describe("static: the stored credential header; minted: a token Toolgate signs per request (see /.well-known/jwks.json)."),
    riskPosture: z.object({ threatModel: z.string(), riskAppetite: z.string(), riskTier: z.enum(riskTiers).nullable() }),
    approvalTools: z.partialRecord(z.enum(environments), z.array(z.string())),
    dataHandling: z.object({
      minimisation: z.string(),
      masking: z.string(),
      sensitiveFields: z.array(z.string()),
      retention: z.string(),
      consent: z.string(),
    }),
    versions: z.array(versionSummary),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: "ServerEntry" });

const toolDefinition = z
  .object({
    name: z.string(),
    title: z.string().nullable(),
    description: z.string().nullable(),
    inputSchema: jsonObject,
    outputSchema: jsonObject.nullable(),
    annotations: jsonObject.nullable(),
    definitionHash: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .meta({ id: "ToolDefinition" });

const toolChange = z
  .object({
    kind: z.enum(["added", "removed", "changed", "unchanged"]),
    name: z.string(),
    fields: z.array(z.enum(["title", "description", "inputSchema", "outputSchema", "annotations"])).optional(),
  })
  .meta({ id: "ToolChange" });

const definitionChange = z
  .object({
    type: z.enum(["resource", "resource_template", "prompt"]),
    kind: z.enum(["added", "removed", "changed", "unchanged"]),
    name: z.string().meta({ description: "The URI, URI template or prompt name." }),
    fields: z.array(z.string()).optional(),
  })
  .meta({ id: "DefinitionChange" });

export const versionDiffBody = z
  .object({ previous: z.string().nullable(), changes: z.array(toolChange), definitions: z.array(definitionChange) })
  .meta({ id: "VersionDiff" });

export const versionDetail = versionSummary
  .extend({
    tools: z.array(toolDefinition),
    resources: z.array(
      z.object({ uri: z.string(), name: z.string(), title: z.string().nullable(), description: z.string().nullable(), mimeType: z.string().nullable(), definitionHash: z.string().nullable() }),
    ),
    resourceTemplates: z.array(
      z.object({ uriTemplate: z.string(), name: z.string(), title: z.string().nullable(), description: z.string().nullable(), mimeType: z.string().nullable(), definitionHash: z.string() }),
    ),
    prompts: z.array(
      z.object({ name: z.string(), title: z.string().nullable(), description: z.string().nullable(), arguments: z.array(jsonObject).nullable(), definitionHash: z.string().nullable() }),
    ),
    diff: versionDiffBody,
  })
  .meta({ id: "VersionDetail" });

export const serverIdParams = z.object({ id: z.uuid({ error: "Server ids are UUIDs." }) });
export const versionParams = serverIdParams.extend({ version: queryText("The version", 64) });

export const registerServerBody = registerServerSchema.meta({ id: "RegisterServer" });
export const importVersionBody = versionInputSchema.meta({ id: "ImportVersion" });
export const catalogQuery = catalogQuerySchema;
