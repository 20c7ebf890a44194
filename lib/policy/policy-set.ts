import { createHash } from "node:crypto";
import { cedar } from "./cedar";
import { z } from "zod";
import { approvalRequired } from "./default-policies";
import { cedarSchemaText } from "./schema";

// A policy set's text checked once against Toolgate's schema: parsed, validated in strict mode, each
// policy's id and approval mark read, and the set handed to cedar-wasm's per-thread cache so a
// decision never parses it again (STACK-NOTES: parsing per call cost ~0.26 ms; a decision must stay
// well under 0.1 ms).

/** The largest policy set accepted, in bytes of UTF-8: far beyond any hand-written set, small enough to parse in a blink. */
export const maxPolicySetBytes = 256 * 1024;

export interface PolicyProblem {
  message: string;
  /** Cedar's hint, when it has one ("did you mean `name`?"). */
  help: string | null;
  /** The policy's id, when the problem is inside one policy. */
  policyId: string | null;
  /** 1-based line and column of where the problem starts, when Cedar points at a place. */
  line: number | null;
  column: number | null;
}

export interface CompiledPolicySet {
  /** The sha-256 of the text: the cache key, and what audit events and manifests name. */
  hash: string;
  /** Each policy's id: its `@id("…")` annotation, else Cedar's `policyN` by position. */
  policyIds: string[];
  /** The ids of the permits annotated `@approval("required")`. */
  approvalPolicyIds: ReadonlySet<string>;
  /** Cedar's name for the preparsed set in its per-thread cache. */
  cacheId: string;
  /**
   * Whether the text names the call's arguments, the client's address, the hour or the day anywhere
   * (even in a comment): only then do they belong in the key of remembered decisions (./engine.ts).
   * Over-including is safe.
   */
  readsArguments: boolean;
  readsClientAddress: boolean;
  readsHourOfDay: boolean;
  readsDayOfWeek: boolean;
}

export type PolicySetCheck = { ok: true; policySet: CompiledPolicySet } | { ok: false; problems: PolicyProblem[] };

/** The sha-256 of a policy set's text, in hex: its identity in the cache, the audit trail and manifests. */
export function policySetHash(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

const policyText = z
  .string({ error: "A policy set must be text." })
  .refine((text) => Buffer.byteLength(text, "utf8") <= maxPolicySetBytes, `A policy set must be at most ${maxPolicySetBytes / 1024} KB.`);

/** Cedar's source offsets count UTF-8 bytes; people count lines and characters. */
function positionOf(text: string, byteOffset: number): { line: number; column: number } {
  const before = Buffer.from(text, "utf8").subarray(0, byteOffset).toString("utf8");
  const lineStart = before.lastIndexOf("\n") + 1;
  return { line: before.split("\n").length, column: [...before.slice(lineStart)].length + 1 };
}

function problemOf(text: string, error: cedar.DetailedError, policyId: string | null): PolicyProblem {
  const start = error.sourceLocations?.[0]?.start;
  const position = start === undefined ? { line: null, column: null } : positionOf(text, start);
  const label = error.sourceLocations?.[0]?.label;
  return { message: label ? `${error.message}: ${label}` : error.message, help: error.help, policyId, ...position };
}

interface PolicyPart {
  id: string;
  text: string;
  approval: boolean;
}

/** Each policy with its id and approval mark; Cedar names unannotated policies `policy0`, `policy1`, … */
function partsOf(texts: string[]): PolicyPart[] | PolicyProblem[] {
  const parts: PolicyPart[] = [];
  for (const [index, text] of texts.entries()) {
    const json = cedar.policyToJson(text);
    if (json.type !== "success") return json.errors.map((error) => problemOf(text, error, `policy${index}`));
    const annotations = json.json.annotations ?? {};
    parts.push({ id: annotations.id ?? `policy${index}`, text, approval: annotations.approval === approvalRequired && json.json.effect === "permit" });
  }
  return parts;
}

function duplicateIds(parts: PolicyPart[]): PolicyProblem[] {
  const seen = new Set<string>();
  const problems: PolicyProblem[] = [];
  for (const part of parts) {
    if (seen.has(part.id)) problems.push({ message: `Two policies have the id "${part.id}"; each @id must be unique.`, help: null, policyId: part.id, line: null, column: null });
    seen.add(part.id);
  }
  return problems;
}

const compiled = new Map<string, CompiledPolicySet>();

/** Parses and validates a policy set; on success it is compiled and cached by its hash, so checking the same text again is free. */
export function checkPolicySet(input: unknown): PolicySetCheck {
  const parsed = policyText.safeParse(input);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((issue) => ({ message: issue.message, help: null, policyId: null, line: null, column: null })) };
  const text = parsed.data;
  const hash = policySetHash(text);
  const cached = compiled.get(hash);
  if (cached) return { ok: true, policySet: cached };

  const split = cedar.policySetTextToParts(text);
  if (split.type !== "success") return { ok: false, problems: split.errors.map((error) => problemOf(text, error, null)) };
  if (split.policy_templates.length > 0) {
    return { ok: false, problems: [{ message: "Policy templates (with ?principal or ?resource) are not supported; write static policies.", help: null, policyId: null, line: null, column: null }] };
  }
  const parts = partsOf(split.policies);
  if (parts.some((part) => "message" in part)) return { ok: false, problems: parts as PolicyProblem[] };
  const policies = parts as PolicyPart[];
  const duplicates = duplicateIds(policies);
  if (duplicates.length > 0) return { ok: false, problems: duplicates };

  // Validated as one text, so every location points into what the author wrote.
  const validation = cedar.validate({ schema: cedarSchemaText, policies: { staticPolicies: text }, validationSettings: { mode: "strict" } });
  if (validation.type !== "success") return { ok: false, problems: validation.errors.map((error) => problemOf(text, error, null)) };
  const idOf = (cedarId: string) => policies[Number(cedarId.replace(/^policy/, ""))]?.id ?? cedarId;
  if (validation.validationErrors.length > 0) {
    return {
      ok: false,
      problems: validation.validationErrors.map(({ policyId, error }) => {
        const problem = problemOf(text, error, idOf(policyId));
        // Cedar names the policy by its position (`policy1`); the author knows it by its @id.
        return { ...problem, message: problem.message.replace(`policy \`${policyId}\``, `policy \`${idOf(policyId)}\``) };
      }),
    };
  }

  const cacheId = `set-${hash}`;
  const preparsed = cedar.preparsePolicySet(cacheId, { staticPolicies: Object.fromEntries(policies.map((part) => [part.id, part.text])) });
  if (preparsed.type !== "success") return { ok: false, problems: preparsed.errors.map((error) => problemOf(text, error, null)) };
  const policySet: CompiledPolicySet = {
    hash,
    policyIds: policies.map((part) => part.id),
    approvalPolicyIds: new Set(policies.filter((part) => part.approval).map((part) => part.id)),
    cacheId,
    readsArguments: /\barguments\b/.test(text),
    readsClientAddress: /\bclientAddress\b/.test(text),
    readsHourOfDay: /\bhourOfDay\b/.test(text),
    readsDayOfWeek: /\bdayOfWeek\b/.test(text),
  };
  compiled.set(hash, policySet);
  return { ok: true, policySet };
}

/** For the editor (phase 3): the problems with a policy set's text, each with its line and column; empty when it is valid. */
export function validatePolicySet(input: unknown): PolicyProblem[] {
  const check = checkPolicySet(input);
  return check.ok ? [] : check.problems;
}
