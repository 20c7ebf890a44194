import type { z } from "zod";
import type { ValidationError } from "@/lib/errors";

// Shared by the readers of uploaded JSON documents (SARIF, CycloneDX).

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The file's text as UTF-8 (a leading byte-order mark is dropped), or the reader's error. */
export function fileText(bytes: Uint8Array, refuse: (reason: string) => ValidationError): string {
  try {
    return utf8.decode(bytes).replace(/^\uFEFF/, "");
  } catch {
    throw refuse("it is not UTF-8 text.");
  }
}

/** The file parsed as JSON, or the reader's error saying it is not JSON. */
export function parseJsonFile(bytes: Uint8Array, refuse: (reason: string) => ValidationError): unknown {
  const text = fileText(bytes, refuse);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw refuse("it is not valid JSON.");
  }
}

/** A JSON path a person can find in their file: runs[0].tool.driver.name. */
export function jsonPath(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === "number" ? `[${key}]` : `${i ? "." : ""}${String(key)}`)).join("");
}

/**
 * The first few problems as one sentence. Messages written as predicates ("is required") follow
 * their path; others (zod's own) follow it after a colon.
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[], limit = 3): string {
  const parts = issues.slice(0, limit).map((issue) => {
    const where = jsonPath(issue.path);
    if (!where) return issue.message;
    return /^[a-z]/.test(issue.message) ? `${where} ${issue.message}` : `${where}: ${issue.message}`;
  });
  const more = issues.length > limit ? ` (and ${issues.length - limit} more)` : "";
  return `${parts.join("; ")}${more}.`;
}
