// Approvers see a call's arguments, but not the values data handling marks as sensitive: a field with
// a listed name (at any depth, any letter case) shows as masked, whatever its value.

export const maskedValue = "••••••";

export function maskSensitive(value: unknown, sensitiveFields: readonly string[]): unknown {
  const names = new Set(sensitiveFields.map((name) => name.toLowerCase()));
  const mask = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(mask);
    if (node === null || typeof node !== "object") return node;
    return Object.fromEntries(Object.entries(node).map(([key, inner]) => [key, names.has(key.toLowerCase()) ? maskedValue : mask(inner)]));
  };
  return mask(value);
}
