// What the bundle routes (app/api/v1/bundles) hand their service from the path and body; the service
// parses it with zod (lib/bundles/bundles.ts), so only its shape is set here.

const single = (value: string | string[] | undefined) => (typeof value === "string" ? value : undefined);

/** A version number from the path: a number when it is one, else as sent, for the service to refuse. */
function versionNumber(value: string | string[] | undefined): unknown {
  const text = single(value);
  return text !== undefined && /^\d{1,7}$/.test(text) ? Number(text) : text;
}

/** The one field a body may carry, or undefined when the body is not an object. */
function field(body: unknown, name: string): unknown {
  return body !== null && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>)[name] : undefined;
}

export function bundleInput(params: Record<string, string | string[]>, body?: unknown, fields: string[] = []): Record<string, unknown> {
  const input: Record<string, unknown> = { bundle: single(params.name) };
  if (params.number !== undefined) input.number = versionNumber(params.number);
  for (const name of fields) input[name] = field(body, name);
  return input;
}
