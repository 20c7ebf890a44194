import { describe, expect, it } from "vitest";
import { createDocument } from "zod-openapi";
import { policyReplayPaths } from "./policy-replay-paths";

describe("policy replay paths", () => {
  it("make a valid OpenAPI document with the replay, its report and the explanation", () => {
    const document = createDocument({ openapi: "3.1.0", info: { title: "t", version: "1" }, paths: policyReplayPaths });
    expect(Object.keys(document.paths ?? {})).toEqual(["/api/v1/policies/{id}/replays", "/api/v1/policy-replays/{id}", "/api/v1/policies/why"]);
    expect(Object.keys(document.components?.schemas ?? {})).toEqual(expect.arrayContaining(["PolicyReplay", "PolicyReplayReport", "PolicyExplanation", "StartPolicyReplay", "PolicyQuestion"]));
    expect(Object.keys(document.paths?.["/api/v1/policies/{id}/replays"]?.post?.responses ?? {})).toEqual(expect.arrayContaining(["202", "400", "403", "404", "409"]));
  });
});
