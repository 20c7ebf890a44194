import { z } from "zod";
import { hasUnsafeCharacters, replaceUnsafeCharacters } from "@/lib/text/unsafe-text";

// completion/complete's params (decision 034), checked before either SDK parses the message (see
// ./call-input.ts), so a malformed request is refused with the field named and audited like any other.

/** Far longer than any prompt name or URI template; a URI template is bounded like a resource URI. */
const maxNameLength = 256;
const maxUriLength = 8192;
/** What a person types into one field while it completes. */
export const maxCompletionValueLength = 4096;
const maxContextArguments = 64;

const printable = (text: string) => !hasUnsafeCharacters(text, { singleLine: true });

const text = (field: string, max: number, { empty = false } = {}) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `${field} is required` : `${field} must be a string`) })
    .min(empty ? 0 : 1, `${field} must not be empty`)
    .max(max, `${field} is longer than ${max} characters`)
    .refine(printable, `${field} must not contain control or bidirectional-override characters`);

const ref = z.discriminatedUnion(
  "type",
  [
    z.looseObject({ type: z.literal("ref/prompt"), name: text("params.ref.name", maxNameLength) }),
    z.looseObject({ type: z.literal("ref/resource"), uri: text("params.ref.uri", maxUriLength) }),
  ],
  { error: 'params.ref must be {"type": "ref/prompt", "name": …} or {"type": "ref/resource", "uri": …}' },
);

export const completionParams = z.looseObject(
  {
    ref,
    argument: z.looseObject(
      { name: text("params.argument.name", maxNameLength), value: text("params.argument.value", maxCompletionValueLength, { empty: true }) },
      { error: "params.argument must be an object with a name and a value" },
    ),
    context: z
      .looseObject(
        {
          arguments: z
            .record(text("params.context.arguments' names", maxNameLength), text("params.context.arguments' values", maxCompletionValueLength, { empty: true }), {
              error: "params.context.arguments must be an object of named string values",
            })
            .refine((args) => Object.keys(args).length <= maxContextArguments, `params.context.arguments holds more than ${maxContextArguments} values`)
            .optional(),
        },
        { error: "params.context must be an object" },
      )
      .optional(),
  },
  { error: "params must be an object" },
);

export type CompletionParams = z.infer<typeof completionParams>;

/** Why these completion/complete params cannot be served, and the item to audit them under; null when they can. */
export function screenCompletionParams(params: unknown): { message: string; item?: string } | null {
  const shape = completionParams.safeParse(params);
  if (shape.success) return null;
  const raw = (params as { ref?: { name?: unknown; uri?: unknown } } | null)?.ref;
  const item = typeof raw?.name === "string" ? raw.name : typeof raw?.uri === "string" ? raw.uri : undefined;
  return { message: `Invalid params: ${shape.error.issues[0]!.message}.`, ...(item !== undefined ? { item: replaceUnsafeCharacters(item.slice(0, 512)) } : {}) };
}
