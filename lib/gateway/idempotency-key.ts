import { z } from "zod";
import { isPlainObject } from "@/lib/json/plain-object";

// The idempotency key a tools/call may carry (decision 035): `params._meta["io.toolgate/idempotency-key"]`,
// 1 to 200 visible ASCII characters (no space, no control character) — a UUID, a ULID, "order-1234/try".
// ./call-input.ts refuses any other value before the call is served; ./idempotency.ts acts on it.

export const idempotencyKeyField = "io.toolgate/idempotency-key";
export const maxIdempotencyKeyLength = 200;

const named = `params._meta["${idempotencyKeyField}"]`;

export const idempotencyKeySchema = z
  .string(`${named} must be a string`)
  .min(1, `${named} must not be empty`)
  .max(maxIdempotencyKeyLength, `${named} is longer than ${maxIdempotencyKeyLength} characters`)
  .regex(/^[\x21-\x7e]+$/, `${named} must hold only visible ASCII characters (no spaces or control characters)`);

/** The key in a screened call's `_meta`, or undefined when it has none. */
export function idempotencyKeyOf(meta: unknown): string | undefined {
  if (!isPlainObject(meta)) return undefined;
  const key = meta[idempotencyKeyField];
  return typeof key === "string" ? key : undefined;
}
