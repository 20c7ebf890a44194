import type { z } from "zod";
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from "zod-openapi";
import { errorBody } from "./catalog-contract";
import { explainBody, explanation, latestReplayBody, policySetIdParams, replayIdParams, replayRun, startReplayBody } from "./policy-replay-contract";

// Policy replay and "why" (issue #18) in the OpenAPI document; every operation needs policies.view.

const json = (schema: z.ZodType, description: string) => ({ description, content: { "application/json": { schema } } });

function operation(summary: string, operation: Omit<ZodOpenApiOperationObject, "summary" | "responses">, ok: Record<string, ReturnType<typeof json>>, refusals: Record<string, string>): ZodOpenApiOperationObject {
  return {
    tags: ["policies"],
    summary,
    ...operation,
    responses: {
      ...ok,
      "400": json(errorBody, "Invalid input; nothing was started."),
      "401": json(errorBody, "Not signed in."),
      "403": json(errorBody, "Signed in without the role to view policies (administrator, reviewer or approver)."),
      ...Object.fromEntries(Object.entries(refusals).map(([status, meaning]) => [status, json(errorBody, meaning)])),
    },
  };
}

const body = (schema: z.ZodType) => ({ requestBody: { required: true, content: { "application/json": { schema } } } });

export const policyReplayPaths: ZodOpenApiPathsObject = {
  "/api/v1/policies/{id}/replays": {
    post: operation(
      "Replay the policy set against the audited calls of the last days, beside the active set; runs in the background",
      { requestParams: { path: policySetIdParams }, ...body(startReplayBody) },
      { "202": json(replayRun, "Started: poll /api/v1/policy-replays/{id} until done or failed.") },
      {
        "404": "No such policy set.",
        "409": "Another replay is still running.",
      },
    ),
    get: operation("The policy set's newest replay", { requestParams: { path: policySetIdParams } }, { "200": json(latestReplayBody, "The newest replay, or null.") }, { "404": "No such policy set." }),
  },
  "/api/v1/policy-replays/{id}": {
    get: operation("One replay: its progress, and its report once done", { requestParams: { path: replayIdParams } }, { "200": json(replayRun, "The replay.") }, { "404": "No such replay." }),
  },
  "/api/v1/policies/why": {
    post: operation(
      "What a policy set (the active one unless named) decides for an agent calling a tool pinned in its environment, and which policies decided",
      body(explainBody),
      { "200": json(explanation, "The decision.") },
      { "404": "No such agent, server, tool pinned in the agent's environment, or policy set." },
    ),
  },
};
