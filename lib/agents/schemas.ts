import { z } from "zod";
import { safeName } from "@/lib/text/unsafe-text";
import { reasonText } from "@/lib/validation";

// Input rules shared by agents, keys and grants.

export const agentNameSchema = z
  .string({ error: "Agent name is required." })
  .trim()
  .min(3, "Agent name must be at least 3 characters.")
  .max(100, "Agent name must be at most 100 characters.")
  .regex(/^[A-Za-z0-9._-]+$/, "Agent name may contain letters, digits and . _ - only.")
  .pipe(safeName("Agent name"));

export const reasonSchema = reasonText(1000);

// Forms send "" for a field left empty; that means absent.
export const absentIfEmpty = (value: unknown) => (value === "" || value === null ? undefined : value);

// A datetime-local field has no time zone; the forms label it UTC, so it is read as UTC.
const localDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;
const asUtc = (value: unknown) => (typeof value === "string" && localDateTime.test(value) ? `${value}Z` : value);

/** An optional expiry time in the future, at most `maxDays` ahead when given. */
export function futureExpiry(what: string, maxDays?: number) {
  return z.preprocess(
    (value) => asUtc(absentIfEmpty(value)),
    z.coerce
      .date({ error: `${what} must be a date and time.` })
      .refine((date) => date.getTime() > Date.now(), `${what} must be in the future.`)
      .refine((date) => maxDays === undefined || date.getTime() <= Date.now() + maxDays * 24 * 60 * 60 * 1000, `${what} must be at most ${maxDays} days ahead.`)
      .optional(),
  );
}

/** What an agent's tools/list shows at the gateway (decision 034): every tool, or the discovery meta-tools. */
export const toolDiscoveryModes = ["all", "search"] as const;
export type ToolDiscoveryMode = (typeof toolDiscoveryModes)[number];
