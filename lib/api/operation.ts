import type { z } from "zod";
import type { ZodOpenApiOperationObject, ZodOpenApiResponsesObject } from "zod-openapi";
import { errorBody } from "./catalog-contract";

// One operation of the session-authenticated JSON API in the OpenAPI document: lib/api/openapi.ts and
// the path modules it spreads in (lib/api/policy-paths.ts) describe theirs with it.

export const json = (schema: z.ZodType, description: string) => ({ description, content: { "application/json": { schema } } });

const errors = {
  "400": json(errorBody, "Invalid input; nothing was changed."),
  "401": json(errorBody, "Not signed in."),
  "403": json(errorBody, "Signed in, but not allowed."),
};

export interface Operation {
  summary: string;
  tags?: string[];
  requestParams?: ZodOpenApiOperationObject["requestParams"];
  /** A required JSON request body. */
  body?: z.ZodType;
  /** The answers other than the refusals every operation has. */
  responses: ZodOpenApiResponsesObject;
  /** Further refusals, by status: what each means here. */
  refusals?: Record<string, string>;
}

/** An API operation; every one may answer with the 400, 401 and 403 refusals. */
export function operation({ summary, tags, requestParams, body, responses, refusals = {} }: Operation): ZodOpenApiOperationObject {
  return {
    summary,
    ...(tags && { tags }),
    ...(requestParams && { requestParams }),
    ...(body && { requestBody: { required: true, content: { "application/json": { schema: body } } } }),
    responses: { ...responses, ...errors, ...Object.fromEntries(Object.entries(refusals).map(([status, meaning]) => [status, json(errorBody, meaning)])) },
  };
}
