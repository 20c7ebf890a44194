import { z } from "zod";
import { createDocument } from "zod-openapi";
import { evidenceIdParams } from "@/lib/evidence/download";
import {
  catalogQuery,
  importVersionBody,
  registerServerBody,
  serverEntry,
  serverIdParams,
  serverList,
  versionDetail,
  versionDiffBody,
  versionParams,
} from "./catalog-contract";
import { json, operation } from "./operation";
import { auditPaths } from "./audit-paths";
import { bundlePaths } from "./bundle-paths";
import { jobPaths } from "./jobs-paths";
import { policyPaths } from "./policy-paths";
import { policyReplayPaths } from "./policy-replay-paths";
import { registryPaths } from "./registry-paths";

// The owner's gateway settings of an entry (lib/catalog/schemas.ts hostPatternsSchema, decision 035).
const hostPatternsBody = z
  .object({
    resultCacheTtlSeconds: z.number().int().min(0).max(300).describe("Seconds a read-only, idempotent tool's result may be answered again from the gateway's cache; 0 = off."),
    idempotencyWindowSeconds: z.number().int().min(0).max(86_400).describe("Seconds an idempotency key (_meta \"io.toolgate/idempotency-key\") replays a call's first result; 0 = keys refused."),
  })
  .meta({ id: "HostPatterns" });

/** The OpenAPI 3.1 document of the JSON API, generated from the zod schemas the handlers use. */
export function openApiDocument() {
  return createDocument({
    openapi: "3.1.0",
    info: { title: "Toolgate catalog API", version: "1", description: "Governed catalog of MCP servers. Authenticated with the session cookie." },
    servers: [{ url: "/" }],
    components: {
      securitySchemes: {
        session: { type: "apiKey", in: "cookie", name: "next-auth.session-token" },
        agentKey: { type: "http", scheme: "bearer", description: "An agent's API key (tgk_…), created on the Agents page, or a JWT access token from a trusted issuer whose client is bound to the agent (scope tools:read for registry reads)." },
      },
    },
    security: [{ session: [] }],
    paths: {
      "/api/v1/servers": {
        get: operation({
          summary: "Search and filter catalog entries",
          requestParams: { query: catalogQuery },
          responses: { "200": json(serverList, "Matching entries, best match first.") },
        }),
        post: operation({
          summary: "Register a server: imports its tools from the live server as draft version",
          body: registerServerBody,
          responses: { "201": json(serverEntry.pick({ id: true, name: true }), "Registered.") },
          refusals: { "409": "The name is taken.", "422": "The live server could not be imported." },
        }),
      },
      "/api/v1/servers/{id}": {
        get: operation({
          summary: "One catalog entry with its versions",
          requestParams: { path: serverIdParams },
          responses: { "200": json(serverEntry, "The entry.") },
          refusals: { "404": "No such entry." },
        }),
      },
      "/api/v1/servers/{id}/host-patterns": {
        put: operation({
          summary: "Set how the gateway may answer repeated calls to the entry's tools: result-cache TTL and idempotency window, at any time (who may edit the entry; decision 035)",
          requestParams: { path: serverIdParams },
          body: hostPatternsBody,
          responses: { "200": json(hostPatternsBody, "The settings now in force.") },
          refusals: { "404": "No such entry." },
        }),
      },
      "/api/v1/servers/{id}/versions": {
        post: operation({
          summary: "Import a new draft version from the live server",
          requestParams: { path: serverIdParams },
          body: importVersionBody,
          responses: { "201": json(versionDiffBody, "Imported; the per-tool diff against the previous version.") },
          refusals: {
            "404": "No such entry.",
            "409": "The version exists or is not greater than the latest.",
            "422": "The live server could not be imported.",
          },
        }),
      },
      "/api/v1/servers/{id}/versions/{version}": {
        get: operation({
          summary: "One version: tools, resources, prompts as declared, and the diff against the previous version",
          requestParams: { path: versionParams },
          responses: { "200": json(versionDetail, "The version.") },
          refusals: { "404": "No such version." },
        }),
      },
      "/api/v1/evidence/{id}": {
        get: operation({
          summary: "Download an evidence item's file, exactly as uploaded",
          requestParams: { path: evidenceIdParams },
          responses: {
            "200": {
              description: "The file, as an attachment of its stored media type (application/octet-stream when none was given).",
              headers: {
                "Content-Disposition": { description: "attachment, with the file name (RFC 6266).", schema: { type: "string" } },
                ETag: { description: "The quoted hex SHA-256 of the file.", schema: { type: "string" } },
                "Repr-Digest": { description: "sha-256=:<base64>: (RFC 9530).", schema: { type: "string" } },
              },
              content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } },
            },
            "304": { description: "Not modified: If-None-Match named the file's ETag." },
          },
          refusals: { "404": "No such evidence, or it has no file." },
        }),
      },
      ...policyPaths,
      ...bundlePaths,
      ...policyReplayPaths,
      ...registryPaths,
      ...auditPaths,
      ...jobPaths,
    },
  });
}
