import { z } from "zod";
import { isPlainObject } from "@/lib/json/plain-object";
import { hasLoneSurrogate, hasUnsafeCharacters, replaceUnsafeCharacters } from "@/lib/text/unsafe-text";
import { screenCompletionParams } from "./completion-input";
import { idempotencyKeyField, idempotencyKeySchema } from "./idempotency-key";
import { maxToolNameLength } from "./namespacing";

// The params of a tools/call or tools/list are checked here, before either SDK parses the message and
// before anything recursive (the argument hash, canonical JSON, Ajv) or stored (the audit) touches them.
// Without it a malformed shape answered -32603 with a zod dump, a name with NUL poisoned the audit
// batch, and arguments nested 20,000 deep overflowed the stack unaudited. Every refusal names the field.

/** Deeper than any real tool input; far below what recursive code in the call path survives. */
export const maxArgumentDepth = 64;
/** Values (objects, arrays, scalars) in `arguments` or `_meta`; the 4 MB body limit allows millions. */
export const maxArgumentNodes = 100_000;
/** Far longer than any cursor the gateway hands out (a base64url offset). */
const maxCursorLength = 1024;

export type ScreenedMethod = "tools/call" | "tools/list" | "resources/read" | "prompts/get" | "completion/complete";

export interface InputRefusal {
  method: ScreenedMethod;
  /** What the agent and the audit read: the field and the rule, never the offending value. */
  message: string;
  /** The tool name the call carried, made safe and bounded for the audit; absent when it had none. */
  tool?: string;
}

const objectOf = (field: string) => ({ error: `${field} must be an object` });

const toolName = z
  .string({ error: (issue) => (issue.input === undefined ? "params.name is required" : "params.name must be a string") })
  .min(1, "params.name must not be empty")
  .max(maxToolNameLength, `params.name is longer than ${maxToolNameLength} characters`)
  .refine((name) => !hasUnsafeCharacters(name, { singleLine: true }), "params.name must not contain control, bidirectional-override or unpaired surrogate characters");

const meta = z.looseObject(
  {
    progressToken: z.union([z.string(), z.number()], "params._meta.progressToken must be a string or a number").optional(),
    "io.modelcontextprotocol/related-task": z
      .looseObject({ taskId: z.string("params._meta[\"io.modelcontextprotocol/related-task\"].taskId must be a string") }, objectOf('params._meta["io.modelcontextprotocol/related-task"]'))
      .optional(),
    [idempotencyKeyField]: idempotencyKeySchema.optional(),
  },
  objectOf("params._meta"),
);

/** The page offset a tools/list cursor stands for, or null for anything the gateway did not hand out. */
export function cursorOffset(cursor: string): number | null {
  if (!/^[A-Za-z0-9_-]{1,16}$/.test(cursor)) return null;
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const offset = Number(text);
  return /^\d+$/.test(text) && Number.isSafeInteger(offset) ? offset : null;
}

const callParams = z.looseObject(
  {
    name: toolName,
    arguments: z.record(z.string(), z.unknown(), { error: "params.arguments must be an object of named arguments" }).optional(),
    _meta: meta.optional(),
    // The gateway does not declare the tasks capability; the v1 SDK would check the result as a task's.
    task: z.undefined("params.task is not supported: this gateway does not run tool calls as tasks").optional(),
  },
  objectOf("params"),
);

const listParams = z
  .looseObject(
    {
      cursor: z
        .string("params.cursor must be a string")
        .max(maxCursorLength, `params.cursor is longer than ${maxCursorLength} characters`)
        .refine((cursor) => cursorOffset(cursor) !== null, "params.cursor is not a cursor this gateway handed out")
        .optional(),
      _meta: meta.optional(),
    },
    objectOf("params"),
  )
  .optional();

// resources/read and prompts/get (decision 032): the shape only; ./definitions-server.ts checks the values.
const readParams = z.looseObject({ uri: z.string({ error: (issue) => (issue.input === undefined ? "params.uri is required" : "params.uri must be a string") }), _meta: meta.optional() }, objectOf("params"));
const getParams = z.looseObject(
  {
    name: z.string({ error: (issue) => (issue.input === undefined ? "params.name is required" : "params.name must be a string") }),
    arguments: z.record(z.string(), z.string("prompt argument values must be strings"), { error: "params.arguments must be an object of named string arguments" }).optional(),
    _meta: meta.optional(),
  },
  objectOf("params"),
);

function screenDefinitionParams(method: "resources/read" | "prompts/get", params: unknown): InputRefusal | null {
  const shape = (method === "resources/read" ? readParams : getParams).safeParse(params);
  if (shape.success) return null;
  const item = method === "resources/read" ? (params as { uri?: unknown } | null)?.uri : (params as { name?: unknown } | null)?.name;
  return { method, message: `Invalid params: ${shape.error.issues[0]!.message}.`, ...(typeof item === "string" ? { tool: replaceUnsafeCharacters(item.slice(0, 512)) } : {}) };
}

/**
 * Why `value` cannot be served, walking it without recursion: too deep, too large, or holding text that
 * is not Unicode (an unpaired surrogate, which the argument hash's canonical JSON refuses); null when fine.
 */
function unservableValue(value: unknown, field: string): string | null {
  const stack: [unknown, number][] = [[value, 1]];
  // Counted as they are found, so a very wide object is refused before its values are all stacked.
  let found = 1;
  while (stack.length) {
    const [item, depth] = stack.pop()!;
    if (typeof item === "string" && hasLoneSurrogate(item)) return `${field} holds text with an unpaired surrogate`;
    if (item === null || typeof item !== "object") continue;
    if (depth > maxArgumentDepth) return `${field} is nested deeper than ${maxArgumentDepth} levels`;
    const children = Array.isArray(item) ? item : Object.values(item);
    found += children.length;
    if (found > maxArgumentNodes) return `${field} holds more than ${maxArgumentNodes} values`;
    if (!Array.isArray(item) && Object.keys(item).some(hasLoneSurrogate)) return `${field} holds text with an unpaired surrogate`;
    for (const child of children) stack.push([child, depth + 1]);
  }
  return null;
}

function auditableName(params: unknown): string | undefined {
  const name = (params as { name?: unknown } | null | undefined)?.name;
  return typeof name === "string" ? replaceUnsafeCharacters(name.slice(0, maxToolNameLength + 1)) : undefined;
}


// The common call — a good name and plain arguments, nothing else — is recognised by hand: the schema
// would pass it too, and parsing it cost more than the rest of the screen. Anything else is parsed.
function isPlainCall(params: unknown): params is { name: string; arguments?: Record<string, unknown> } {
  if (!isPlainObject(params)) return false;
  for (const key in params) if (key !== "name" && key !== "arguments") return false;
  const { name, arguments: args } = params;
  if (typeof name !== "string" || name.length < 1 || name.length > maxToolNameLength || hasUnsafeCharacters(name, { singleLine: true })) return false;
  return args === undefined || isPlainObject(args);
}

/**
 * Why the params of this tools/call, tools/list, resources/read or prompts/get cannot be served, or null
 * when they can (and for every other method). Cheap for a normal call: one shallow check and one walk over the arguments.
 */
export function screenParams(method: unknown, params: unknown): InputRefusal | null {
  if (method === "tools/call" && isPlainCall(params)) {
    const unservable = unservableValue(params.arguments, "params.arguments");
    return unservable ? { method, message: `Invalid params: ${unservable}.`, tool: auditableName(params) } : null;
  }
  if (method === "resources/read" || method === "prompts/get") return screenDefinitionParams(method, params);
  if (method === "completion/complete") {
    const refusal = screenCompletionParams(params);
    return refusal && { method, message: refusal.message, ...(refusal.item !== undefined ? { tool: refusal.item } : {}) };
  }
  if (method !== "tools/call" && method !== "tools/list") return null;
  const shape = (method === "tools/call" ? callParams : listParams).safeParse(params);
  const refuse = (message: string): InputRefusal => ({ method, message, ...(method === "tools/call" ? { tool: auditableName(params) } : {}) });
  if (!shape.success) return refuse(`Invalid params: ${shape.error.issues[0]!.message}.`);
  const { arguments: args, _meta } = (shape.data ?? {}) as { arguments?: unknown; _meta?: unknown };
  const unservable = unservableValue(args, "params.arguments") ?? unservableValue(_meta, "params._meta");
  return unservable ? refuse(`Invalid params: ${unservable}.`) : null;
}
