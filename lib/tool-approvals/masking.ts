// People see a call's arguments (approvers in the inbox), but not the values data handling marks as
// sensitive: the policy's field names, for every server, and the fields each server's owner registered
// for that server. A listed field shows as masked, whatever its value:
// - a name (`ssn`) matches a field of that name at any depth;
// - a dotted path (`customer.email`, `$.customer.email`, `items[].card`) matches where its names
//   follow one another, at any depth; arrays on the way do not count as steps.
// Names compare in any letter case. This is the one masking of arguments: use it wherever they show.

export const maskedValue = "••••••";

/** Where the sensitive field names come from: the policy (every server) and the server's owner. */
export interface SensitiveFields {
  /** `dataHandling.sensitiveArgumentFields`. */
  policy: readonly string[];
  /** The server's own `sensitiveFields`, registered by its owner. */
  server: readonly string[];
}

/** A field as the names it steps through, lower-cased; array steps (`[]`, `[0]`, `[*]`) and a leading `$` dropped. */
function steps(field: string): string[] {
  return field
    .toLowerCase()
    .replace(/\[[^\]]*\]/g, "")
    .split(".")
    .filter((step, index) => step !== "" && !(index === 0 && step === "$"));
}

/** For each last name, the paths ending in it (a single name is a path of one step). */
function pathsByLastStep(fields: readonly string[]): Map<string, string[][]> {
  const byLast = new Map<string, string[][]>();
  const add = (path: string[]) => {
    const last = path[path.length - 1]!;
    byLast.set(last, [...(byLast.get(last) ?? []), path]);
  };
  for (const field of fields) {
    const path = steps(field);
    if (path.length > 0) add(path);
    // An argument whose own name has a dot in it matches the field as written, too.
    if (path.length > 1) add([field.toLowerCase()]);
  }
  return byLast;
}

const endsWith = (trail: string[], path: string[]) => path.length <= trail.length && path.every((step, index) => trail[trail.length - path.length + index] === step);

/** A copy of a call's arguments with the value of every sensitive field replaced by `maskedValue`. */
export function maskArguments(value: unknown, fields: SensitiveFields): unknown {
  const byLast = pathsByLastStep([...fields.policy, ...fields.server]);
  const mask = (node: unknown, trail: string[]): unknown => {
    if (Array.isArray(node)) return node.map((item) => mask(item, trail));
    if (node === null || typeof node !== "object") return node;
    return Object.fromEntries(
      Object.entries(node).map(([key, inner]) => {
        const here = [...trail, key.toLowerCase()];
        const sensitive = byLast.get(here[here.length - 1]!)?.some((path) => endsWith(here, path)) ?? false;
        return [key, sensitive ? maskedValue : mask(inner, here)];
      }),
    );
  };
  return mask(value, []);
}
