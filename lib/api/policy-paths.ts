import type { z } from "zod";
import type { ZodOpenApiPathsObject } from "zod-openapi";
import { json, operation } from "./operation";
import {
  approvalBody,
  policySetDetail,
  policySetDraftBody,
  policySetIdParams,
  policySetList,
  rejectionBody,
  shadowBody,
  validateBody,
  validateResponse,
} from "./policy-contract";

// The policy-set API (app/api/v1/policies) in the OpenAPI document: sets governed like tools
// (docs/decisions/029). Replays and "why" have their own paths (lib/api/policy-replay-paths.ts).

const tags = ["policies"];
const path = { path: policySetIdParams };
const detail = (description: string) => ({ "200": json(policySetDetail, description) });

/** A lifecycle step on one set: POST, answering the set after it. */
function step(summary: string, body: z.ZodType | undefined, refusals: Record<string, string>) {
  return {
    post: operation({ summary, tags, requestParams: path, body, responses: detail("The set after the step."), refusals: { "404": "No such policy set.", ...refusals } }),
  };
}

export const policyPaths: ZodOpenApiPathsObject = {
  "/api/v1/policies": {
    get: operation({ summary: "Every policy set, newest first (role: administrator, reviewer or approver)", tags, responses: { "200": json(policySetList, "The sets.") } }),
    post: operation({
      summary: "Save a new draft policy set (role: administrator); a draft may hold problems until it is proposed",
      tags,
      body: policySetDraftBody,
      responses: { "201": json(policySetDetail, "The draft, with its problems.") },
      refusals: { "404": "basedOnId names no policy set." },
    }),
  },
  "/api/v1/policies/{id}": {
    get: operation({ summary: "One policy set with its text and problems", tags, requestParams: path, responses: detail("The set."), refusals: { "404": "No such policy set." } }),
    put: operation({
      summary: "Change one's own draft; a set cannot change once proposed",
      tags,
      requestParams: path,
      body: policySetDraftBody,
      responses: detail("The draft, with its problems."),
      refusals: { "403": "Not the draft's author, or not an administrator.", "404": "No such policy set.", "409": "The set is no longer a draft." },
    }),
  },
  "/api/v1/policies/{id}/propose": step("Propose one's own draft for approval; its text is frozen from now on", undefined, {
    "400": "The text has problems (Cedar syntax, attributes not in the schema, size); each is named.",
    "409": "The set is not a draft.",
  }),
  "/api/v1/policies/{id}/approve": step("Approve a proposed set (role: approver; never its author)", approvalBody, {
    "403": "Not an approver, or the set's author.",
    "409": "The set is not proposed.",
  }),
  "/api/v1/policies/{id}/reject": step("Reject a proposed set with a reason (role: approver; never its author)", rejectionBody, {
    "403": "Not an approver, or the set's author.",
    "409": "The set is not proposed.",
  }),
  "/api/v1/policies/{id}/activate": step("Make an approved set the one the gateway decides with; the active one is superseded", undefined, {
    "409": "The set is not approved, or another was activated meanwhile.",
  }),
  "/api/v1/policies/{id}/rollback": step("Make a superseded set active again, in one step", undefined, {
    "409": "The set is not superseded, or another was activated meanwhile.",
  }),
  "/api/v1/policies/{id}/shadow": step("Start or stop deciding a proposed or approved set beside the active one, recording disagreements", shadowBody, {
    "409": "The set is neither proposed nor approved, or another set already runs in shadow.",
  }),
  "/api/v1/policies/validate": {
    post: operation({
      summary: "The problems of a policy set's text, each with its policy id, line and column; nothing is saved",
      tags,
      body: validateBody,
      responses: { "200": json(validateResponse, "The problems; empty when the text is valid.") },
    }),
  },
};
