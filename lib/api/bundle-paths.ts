import { z } from "zod";
import type { ZodOpenApiPathsObject } from "zod-openapi";
import { json, operation } from "./operation";

// The bundle API (app/api/v1/bundles) in the OpenAPI document: a team's named set of tools across catalog
// entries, reviewed like an entry and served at /mcp/bundles/{name} (docs/decisions/033).

const tags = ["bundles"];
const toolRef = z.object({ server: z.string().describe("A catalog entry's name, as com.example/crm."), tool: z.string() });
const tools = z.array(toolRef).min(1).max(200);
const bundleName = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/);

const createBody = z
  .object({ name: bundleName, title: z.string().max(200), description: z.string().max(2000).optional(), teamId: z.uuid(), tools })
  .meta({ id: "BundleCreate" });
const draftBody = z.object({ tools }).meta({ id: "BundleDraft" });
const decisionBody = z.object({ reason: z.string().min(3).max(1000) }).meta({ id: "BundleDecision" });
const versionView = z
  .object({ bundle: z.string(), number: z.number().int(), status: z.enum(["draft", "submitted", "certified", "rejected"]), tools: z.array(toolRef) })
  .meta({ id: "BundleVersion" });
const detail = z
  .object({
    name: z.string(),
    title: z.string(),
    description: z.string(),
    teamId: z.uuid(),
    versions: z.array(versionView.extend({ authorId: z.uuid(), reviewerId: z.uuid().nullable(), decisionReason: z.string().nullable() })),
  })
  .meta({ id: "BundleDetail" });

const summary = z
  .object({
    name: z.string(),
    title: z.string(),
    teamId: z.uuid(),
    teamName: z.string(),
    latest: z.object({ number: z.number().int(), status: z.enum(["draft", "submitted", "certified", "rejected"]), tools: z.number().int() }).nullable(),
    served: z.number().int().nullable().describe("The highest certified version, served at /mcp/bundles/{name}."),
  })
  .meta({ id: "BundleSummary" });

const nameParams = z.object({ name: bundleName });
const versionParams = z.object({ name: bundleName, number: z.string().regex(/^\d{1,7}$/) });
const done = { "204": { description: "Done." } };

export const bundlePaths: ZodOpenApiPathsObject = {
  "/api/v1/bundles": {
    get: operation({ summary: "The bundles you may see, by name (reviewers and administrators: all; owners: their teams')", tags, responses: { "200": json(z.array(summary), "The bundles.") } }),
    post: operation({
      summary: "Create a team's bundle with its first version, a draft (role: administrator, or owner in the team)",
      tags,
      body: createBody,
      responses: { "201": json(versionView, "The draft.") },
      refusals: { "409": "A bundle of that name exists." },
    }),
  },
  "/api/v1/bundles/{name}": {
    get: operation({ summary: "A bundle and its versions, newest first (reviewers; administrators; owners in its team)", tags, requestParams: { path: nameParams }, responses: { "200": json(detail, "The bundle.") }, refusals: { "404": "No such bundle." } }),
  },
  "/api/v1/bundles/{name}/draft": {
    put: operation({
      summary: "Set the draft's tools, opening a new draft version when the latest is submitted or decided",
      tags,
      requestParams: { path: nameParams },
      body: draftBody,
      responses: { "200": json(versionView, "The draft.") },
      refusals: { "404": "No such bundle." },
    }),
  },
  "/api/v1/bundles/{name}/versions/{number}/submit": {
    post: operation({ summary: "Submit a draft for review; it cannot change from now on", tags, requestParams: { path: versionParams }, responses: done, refusals: { "404": "No such bundle.", "409": "Not a draft." } }),
  },
  "/api/v1/bundles/{name}/versions/{number}/certify": {
    post: operation({ summary: "Certify a submitted version (role: reviewer; never its author); it is served from now on", tags, requestParams: { path: versionParams }, body: decisionBody, responses: done, refusals: { "404": "No such bundle or version.", "409": "Not submitted." } }),
  },
  "/api/v1/bundles/{name}/versions/{number}/reject": {
    post: operation({ summary: "Reject a submitted version (role: reviewer; never its author)", tags, requestParams: { path: versionParams }, body: decisionBody, responses: done, refusals: { "404": "No such bundle or version.", "409": "Not submitted." } }),
  },
};
