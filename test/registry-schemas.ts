import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { parse } from "yaml";

// Validators built from the official MCP Registry schemas vendored in test/fixtures/registry, so
// registry responses are checked against the official shapes, not our reading of them.

const fixtures = path.join(import.meta.dirname, "fixtures", "registry");
const openApiId = "https://toolgate.test/official-registry-openapi.json";

/** server.json, schema 2025-12-11 (JSON Schema draft-07). */
export function serverJsonValidator(): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(path.join(fixtures, "server.schema.json"), "utf8")));
}

interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
  components: { schemas: Record<string, unknown> };
}

/**
 * The official OpenAPI document (JSON Schema 2020-12 dialect): `component` validates against
 * `#/components/schemas/<name>`, `response` against a path's response schema (refs resolved).
 */
export function officialOpenApi() {
  const document = parse(readFileSync(path.join(fixtures, "openapi.yaml"), "utf8")) as OpenApiDocument;
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  // One schema holding the components, so `#/components/schemas/...` references resolve against it.
  ajv.addSchema({ $id: openApiId, components: document.components });
  return {
    document,
    component: (name: string) => ajv.compile({ $ref: `${openApiId}#/components/schemas/${name}` }),
    response(pathName: string, status: string, method = "get"): ValidateFunction {
      const schema = document.paths[pathName]?.[method]?.responses[status]?.content?.["application/json"]?.schema;
      if (!schema) throw new Error(`The official OpenAPI document has no ${status} JSON response for ${method.toUpperCase()} ${pathName}.`);
      return ajv.compile({ $id: `${openApiId}/${method}${pathName}/${status}`, ...rebase(schema) });
    },
  };
}

// A response schema taken out of the document: point its local references at the components schema.
function rebase(schema: unknown): Record<string, unknown> {
  const text = JSON.stringify(schema).replaceAll('"#/components/', `"${openApiId}#/components/`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Ajv's errors as one readable line, for assertion messages. */
export function problems(validate: ValidateFunction): string {
  return (validate.errors ?? []).map((error) => `${error.instancePath || "/"} ${error.message ?? ""} ${JSON.stringify(error.params)}`).join("; ");
}
