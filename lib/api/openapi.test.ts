import { describe, expect, it } from "vitest";
import { errorCodes } from "@/lib/errors";
import { openApiDocument } from "./openapi";

describe("OpenAPI document", () => {
  it("describes the registry API: the three official v0.1 endpoints, their shapes and the agent key", () => {
    const document = openApiDocument();
    for (const path of ["/v0.1/servers", "/v0.1/servers/{serverName}/versions", "/v0.1/servers/{serverName}/versions/{version}"]) {
      const get = document.paths?.[path]?.get;
      expect(get, path).toBeDefined();
      expect(Object.keys(get!.responses ?? {}), path).toEqual(expect.arrayContaining(["200", "400", "401"]));
      expect(get!.security).toEqual([{ agentKey: [] }, {}]);
      expect(document.paths?.[path]?.options?.responses?.["204"]).toBeDefined();
    }
    expect(document.components?.securitySchemes?.agentKey).toMatchObject({ type: "http", scheme: "bearer" });
    expect(Object.keys(document.components?.schemas ?? {})).toEqual(
      expect.arrayContaining(["RegistryServerList", "RegistryServerResponse", "RegistryServerJson", "RegistryOfficialMeta", "RegistryGovernanceMeta"]),
    );
    const limit = document.paths?.["/v0.1/servers"]?.get?.parameters?.find((parameter) => "name" in parameter && parameter.name === "limit");
    expect(limit).toMatchObject({ in: "query", schema: { type: "integer", minimum: 1, maximum: 100 } });
  });

  it("lists the machine-readable code of every error body", () => {
    const schemas = openApiDocument().components?.schemas ?? {};
    expect(schemas.ErrorCode).toMatchObject({ type: "string", enum: Object.values(errorCodes) });
    for (const id of ["Error", "RegistryError"]) {
      expect(schemas[id], id).toMatchObject({ required: ["error", "code"], properties: { code: { $ref: "#/components/schemas/ErrorCode" } } });
    }
  });
});
