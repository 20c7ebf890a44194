import type { z } from "zod";
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from "zod-openapi";
import { errorBody, listQuery, serverList, serverNameParams, serverResponse, versionParams, versionsQuery } from "@/lib/registry/contract";

// The MCP registry API (official MCP Registry API v0.1 paths and shapes) in the OpenAPI document.

const json = (schema: z.ZodType, description: string) => ({ description, content: { "application/json": { schema } } });

const cors = {
  "Access-Control-Allow-Origin": { description: "Always *: the API is read with a bearer key, never a cookie.", schema: { type: "string" as const } },
};

const refusals = {
  "400": json(errorBody, "Invalid query, cursor, server name or version (e.g. a name encoded twice or containing ..)."),
  "401": {
    ...json(errorBody, "No agent key while anonymous read is off, or a key that is unknown, revoked or expired."),
    headers: { "WWW-Authenticate": { description: 'Bearer realm="toolgate-registry"', schema: { type: "string" as const } } },
  },
};

const description =
  "With an agent key: the versions certified and promoted to the agent's environment (granted=true: only servers it holds an active grant for). " +
  "Without one, when the registry.anonymousRead setting is on: every certified version. Deprecated versions appear with status deprecated until retired.";

// A key, or none when anonymous read is on.
const security: Record<string, string[]>[] = [{ agentKey: [] }, {}];
const preflight = { summary: "CORS preflight", security: [], responses: { "204": { description: "Allowed: GET, OPTIONS with Authorization, Content-Type.", headers: cors } } };

function get(summary: string, requestParams: ZodOpenApiOperationObject["requestParams"], ok: ReturnType<typeof json>, notFound?: string): ZodOpenApiOperationObject {
  return {
    tags: ["registry"],
    summary,
    description,
    security,
    requestParams,
    responses: { "200": { ...ok, headers: cors }, ...refusals, ...(notFound ? { "404": json(errorBody, notFound) } : {}) },
  };
}

export const registryPaths: ZodOpenApiPathsObject = {
  "/v0.1/servers": {
    get: get("List certified MCP servers (official MCP Registry API v0.1)", { query: listQuery }, json(serverList, "A page of entries, in server name order.")),
    options: preflight,
  },
  "/v0.1/servers/{serverName}/versions": {
    get: get(
      "Every visible version of one server, newest first",
      { path: serverNameParams, query: versionsQuery },
      json(serverList, "The versions."),
      "No such server, or none of its versions is visible to the caller.",
    ),
    options: preflight,
  },
  "/v0.1/servers/{serverName}/versions/{version}": {
    get: get(
      "One version of a server; `latest` for the latest visible one",
      { path: versionParams, query: versionsQuery },
      json(serverResponse, "The version."),
      "No such server or version for this caller.",
    ),
    options: preflight,
  },
};
