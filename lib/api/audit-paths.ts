import type { ZodOpenApiPathsObject } from "zod-openapi";
import { checkpointPage, checkpointQuery } from "@/lib/audit/checkpoint-list";
import { errorBody } from "./catalog-contract";
import { json } from "./operation";

// The public list of signed audit checkpoints (app/api/v1/audit/checkpoints, docs/decisions/041).

export const auditPaths: ZodOpenApiPathsObject = {
  "/api/v1/audit/checkpoints": {
    get: {
      summary: "Signed checkpoints of the audit hash chain, newest first (public: keep copies to hold the operator to them)",
      description:
        "Each checkpoint is an Ed25519 signature, by Toolgate's manifest signing key (also at /.well-known/jwks.json), over the UTF-8 bytes of its statement. " +
        "kind head: the chain's last event when signed; kind pruned: the last event retention deleted.",
      tags: ["audit"],
      security: [],
      requestParams: { query: checkpointQuery },
      responses: { "200": json(checkpointPage, "One page of checkpoints and the published keys."), "400": json(errorBody, "A query parameter of the wrong type or size.") },
    },
  },
};
