import { singleton } from "@/lib/runtime/singleton";

// The hash of the active policy set this process last read with an agent view: what a gateway audit
// event names when it has no view of its own (an edge refusal, a request refused before its view).
// A singleton, so every copy of this module Next.js loads shares it.
const inForce = singleton("policySetInForce", () => ({ hash: null as string | null }));

export function notePolicySetInForce(hash: string): void {
  inForce.hash = hash;
}

/** Null until this process has read a view. */
export function policySetInForce(): string | null {
  return inForce.hash;
}
