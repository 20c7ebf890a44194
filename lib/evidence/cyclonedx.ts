import { Version } from "@cyclonedx/cyclonedx-library/Spec";
import { JsonValidator } from "@cyclonedx/cyclonedx-library/Validation";
import { z } from "zod";
import { ValidationError } from "@/lib/errors";
import { fileText, jsonPath } from "./json-file";
import type { SbomRecord } from "./records";

// SBOMs are checked against the official CycloneDX JSON schemas, which the CycloneDX library ships
// and validates with ajv offline (docs/decisions/004-cyclonedx-validation.md).

const supportedSpecVersions = {
  "1.2": Version.v1dot2,
  "1.3": Version.v1dot3,
  "1.4": Version.v1dot4,
  "1.5": Version.v1dot5,
  "1.6": Version.v1dot6,
} as const;

type SpecVersion = keyof typeof supportedSpecVersions;

// Compiling a schema takes a moment; each validator compiles its schema once, on first use.
const validators = new Map<SpecVersion, JsonValidator>();
function validatorFor(specVersion: SpecVersion): JsonValidator {
  let validator = validators.get(specVersion);
  if (!validator) {
    validator = new JsonValidator(supportedSpecVersions[specVersion]);
    validators.set(specVersion, validator);
  }
  return validator;
}

const notCycloneDx = (reason: string) =>
  new ValidationError(`The SBOM is not a CycloneDX JSON document: ${reason}`, {
    file: [`The SBOM is not a CycloneDX JSON document: ${reason}`],
  });

interface AjvError {
  instancePath?: string;
  message?: string;
}

function describeSchemaErrors(errors: unknown): string {
  const list = (Array.isArray(errors) ? errors : [errors]) as AjvError[];
  const parts = list.slice(0, 3).map((error) => {
    const where = error.instancePath ? jsonPath(error.instancePath.split("/").slice(1).map((key) => (/^\d+$/.test(key) ? Number(key) : key))) : "the document";
    return `${where} ${error.message ?? "is invalid"}`;
  });
  const more = list.length > 3 ? ` (and ${list.length - 3} more)` : "";
  return `${parts.join("; ")}${more}.`;
}

interface Component {
  name: string;
  version?: string;
  purl?: string;
  components?: Component[];
}

const documentShape = z.object({
  specVersion: z.string(),
  components: z.array(z.looseObject({ name: z.string() })),
});

/** Every component, nested ones included, in document order. */
function flatten(components: Component[]): SbomRecord["components"] {
  const out: SbomRecord["components"] = [];
  const stack = [...components].reverse();
  while (stack.length) {
    const component = stack.pop()!;
    out.push({ name: component.name, version: component.version ?? null, ...(component.purl ? { purl: component.purl } : {}) });
    if (Array.isArray(component.components)) stack.push(...[...component.components].reverse());
  }
  return out;
}

/** Reads a CycloneDX JSON SBOM (spec 1.2 to 1.6) into its component list, or refuses it saying why. */
export async function readCycloneDx(bytes: Uint8Array): Promise<SbomRecord> {
  const text = fileText(bytes, notCycloneDx);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw notCycloneDx("it is not valid JSON.");
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) throw notCycloneDx("it is not a JSON object.");
  const fields = document as Record<string, unknown>;
  if ("spdxVersion" in fields || "SPDXID" in fields) throw notCycloneDx("it is an SPDX document. Export the SBOM as CycloneDX JSON.");
  if (fields.bomFormat !== "CycloneDX") throw notCycloneDx('bomFormat must be "CycloneDX".');
  const specVersion = fields.specVersion;
  if (typeof specVersion !== "string" || !Object.hasOwn(supportedSpecVersions, specVersion)) {
    throw notCycloneDx(`specVersion ${JSON.stringify(specVersion ?? null)} is not supported; use 1.2 to 1.6.`);
  }
  if (!Array.isArray(fields.components)) throw notCycloneDx("it has no components list.");
  const errors = await validatorFor(specVersion as SpecVersion).validate(text);
  if (errors) throw notCycloneDx(describeSchemaErrors(errors));
  // The schema requires type and name on every component; this parse only gives the data its type.
  const shape = documentShape.safeParse(document);
  if (!shape.success) throw notCycloneDx("its components must each have a name.");
  const components = flatten(shape.data.components as Component[]);
  return { format: "CycloneDX", specVersion, components, componentCount: components.length };
}
