import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { Ajv2019 } from "ajv/dist/2019.js";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { linearRegExp } from "./schema-patterns";

// Tool arguments and structured results are checked against the pinned (certified) schemas, never the
// live ones. MCP schemas without `$schema` are JSON Schema 2020-12 (SEP-1613, MCP 2025-11-25); a schema
// may name another dialect, so draft-07 and 2019-09 are served by their own Ajv instances.
// Each pinned schema is compiled once, keyed by the tool's definition hash: a hash names one exact
// definition, so the entry never goes stale (docs/decisions/009-gateway-hot-path.md).

export type SchemaCheck = { ok: true } | { ok: false; message: string };

type Compiled = { validate: ValidateFunction } | { failure: string };

// Patterns run on RE2, in time linear in the input: server owners write them, agents choose the input
// (./schema-patterns.ts). Ajv compiles each pattern once, with the schema.
const options = { strict: false, allErrors: false, addUsedSchema: false, logger: false, code: { regExp: linearRegExp } } as const;
// Lazily built: a process that never validates pays nothing.
let dialects: { ajv2020: Ajv2020; ajv2019: Ajv2019; draft07: Ajv } | undefined;

function ajvFor(schema: unknown): Ajv | Ajv2019 | Ajv2020 | string {
  dialects ??= {
    ajv2020: addFormats(new Ajv2020(options)),
    ajv2019: addFormats(new Ajv2019(options)),
    draft07: addFormats(new Ajv(options)),
  };
  const declared = typeof schema === "object" && schema !== null ? (schema as { $schema?: unknown }).$schema : undefined;
  if (declared === undefined) return dialects.ajv2020;
  const dialect = typeof declared === "string" ? declared.replace(/^https?:\/\//, "").replace(/#$/, "") : "";
  if (dialect === "json-schema.org/draft/2020-12/schema") return dialects.ajv2020;
  if (dialect === "json-schema.org/draft/2019-09/schema") return dialects.ajv2019;
  if (dialect === "json-schema.org/draft-07/schema") return dialects.draft07;
  return `unsupported JSON Schema dialect ${JSON.stringify(declared)} (supported: 2020-12, 2019-09, draft-07)`;
}

// One map per direction, keyed by the bare hash: no key string is built per call.
const inputCache = new Map<string, Compiled>();
const outputCache = new Map<string, Compiled>();

function compiled(cache: Map<string, Compiled>, key: string, schema: unknown): Compiled {
  let entry = cache.get(key);
  if (entry) return entry;
  const ajv = ajvFor(schema);
  if (typeof ajv === "string") entry = { failure: ajv };
  else {
    try {
      entry = { validate: ajv.compile(schema as object) };
    } catch (error) {
      entry = { failure: (error as Error).message };
    }
  }
  cache.set(key, entry);
  return entry;
}

interface Wording {
  /** What a property is called: "argument" for inputs, "property" for results. */
  noun: string;
  /** What the whole value is called, for errors at its root. */
  whole: string;
}

const argumentWording: Wording = { noun: "argument", whole: "arguments" };
const resultWording: Wording = { noun: "property", whole: "structuredContent" };

/** `/items/0/name` → `items[0].name`. */
function pathOf(instancePath: string, child?: string): string {
  const segments = instancePath ? instancePath.slice(1).split("/") : [];
  if (child !== undefined) segments.push(child);
  let path = "";
  for (const raw of segments) {
    const segment = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    path += /^\d+$/.test(segment) && path ? `[${segment}]` : path ? `.${segment}` : segment;
  }
  return path;
}

function phrase(error: ErrorObject, all: ErrorObject[], wording: Wording): string {
  const { instancePath, keyword, params } = error;
  const subject = instancePath ? `${wording.noun} '${pathOf(instancePath)}'` : wording.whole;
  switch (keyword) {
    case "required":
      return `missing required ${wording.noun} '${pathOf(instancePath, params.missingProperty)}'`;
    case "additionalProperties":
      return `unexpected ${wording.noun} '${pathOf(instancePath, params.additionalProperty)}'`;
    case "unevaluatedProperties":
      return `unexpected ${wording.noun} '${pathOf(instancePath, params.unevaluatedProperty)}'`;
    case "type":
      return `${subject} must be ${[params.type].flat().join(" or ")}`;
    case "pattern":
      return `${subject} must match pattern ${JSON.stringify(params.pattern)}`;
    case "enum":
      return `${subject} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    case "const":
      return `${subject} must be ${JSON.stringify(params.allowedValue)}`;
    case "anyOf":
    case "oneOf": {
      // The branches' own errors stand before the combinator's; they say what each alternative wanted.
      const branches = all.filter((e) => e !== error && e.schemaPath.startsWith(`${error.schemaPath}/`));
      const which = keyword === "oneOf" ? "exactly one" : "at least one";
      const detail = branches.length ? ` (${branches.map((e) => phrase(e, [], wording)).join("; ")})` : "";
      return `${subject} must match ${which} of the allowed schemas${detail}`;
    }
    default:
      return `${subject} ${error.message ?? `fails "${keyword}"`}`;
  }
}

function check(cache: Map<string, Compiled>, key: string, schema: unknown, value: unknown, wording: Wording, prefix: string): SchemaCheck {
  const entry = compiled(cache, key, schema);
  if ("failure" in entry) return { ok: false, message: `${prefix}the certified schema cannot be used: ${entry.failure}` };
  if (entry.validate(value)) return { ok: true };
  const errors = entry.validate.errors ?? [];
  // With allErrors off the decisive error is the last one (a combinator's follows its branches').
  const decisive = errors.at(-1);
  return { ok: false, message: prefix + (decisive ? phrase(decisive, errors, wording) : `${wording.whole} does not match the schema`) };
}

/** Checks a call's arguments (absent means `{}`) against the tool's pinned input schema. */
export function validateArguments(tool: { definitionHash: string; inputSchema: unknown }, args: unknown): SchemaCheck {
  return check(inputCache, tool.definitionHash, tool.inputSchema, args ?? {}, argumentWording, "");
}

/**
 * Checks a result's `structuredContent` against the pinned output schema; a tool without one passes.
 * Call it for results that are not `isError`: an error result need not carry structured content.
 */
export function validateStructuredContent(tool: { definitionHash: string; outputSchema?: unknown }, value: unknown): SchemaCheck {
  if (tool.outputSchema === undefined || tool.outputSchema === null) return { ok: true };
  const prefix = "structuredContent does not match the certified output schema: ";
  if (value === undefined) return { ok: false, message: `${prefix}it is missing, but the tool declares an output schema` };
  return check(outputCache, tool.definitionHash, tool.outputSchema, value, resultWording, prefix);
}
