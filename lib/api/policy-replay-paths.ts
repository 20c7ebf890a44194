import type { ZodOpenApiPathsObject } from "zod-openapi";
import { json, operation } from "./operation";
import { policySetIdParams } from "./policy-contract";
import { explainBody, explanation, latestReplayBody, replayIdParams, replayRun, startReplayBody } from "./policy-replay-contract";

// Policy replay and "why" (issue #18) in the OpenAPI document; every operation needs policies.view
// (administrator, reviewer or approver).

const tags = ["policies"];

export const policyReplayPaths: ZodOpenApiPathsObject = {
  "/api/v1/policies/{id}/replays": {
    post: operation({
      summary: "Replay the policy set against the audited calls of the last days, beside the active set; runs in the background",
      tags,
      requestParams: { path: policySetIdParams },
      body: startReplayBody,
      responses: { "202": json(replayRun, "Started: poll /api/v1/policy-replays/{id} until done or failed.") },
      refusals: { "404": "No such policy set.", "409": "Another replay is still running." },
    }),
    get: operation({
      summary: "The policy set's newest replay",
      tags,
      requestParams: { path: policySetIdParams },
      responses: { "200": json(latestReplayBody, "The newest replay, or null.") },
      refusals: { "404": "No such policy set." },
    }),
  },
  "/api/v1/policy-replays/{id}": {
    get: operation({
      summary: "One replay: its progress, and its report once done",
      tags,
      requestParams: { path: replayIdParams },
      responses: { "200": json(replayRun, "The replay.") },
      refusals: { "404": "No such replay." },
    }),
  },
  "/api/v1/policies/why": {
    post: operation({
      summary: "What a policy set (the active one unless named) decides for an agent calling a tool pinned in its environment, and which policies decided",
      tags,
      body: explainBody,
      responses: { "200": json(explanation, "The decision.") },
      refusals: { "404": "No such agent, server, tool pinned in the agent's environment, or policy set." },
    }),
  },
};
