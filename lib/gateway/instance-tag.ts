import { createHash } from "node:crypto";
import os from "node:os";
import { env } from "@/lib/config/env";

// A short tag naming this instance inside the tokens it hands out and alone can honour (a suspended 2026-era
// call's requestState, ./suspended-calls.ts), so another instance that gets one can say where it belongs
// rather than call it forged. A digest of the instance id (TOOLGATE_INSTANCE_ID, default "<hostname>-<pid>"):
// 48 bits, no host name in a client's hands.

let tag: string | undefined;

export function instanceTag(): string {
  tag ??= createHash("sha256")
    .update(env("TOOLGATE_INSTANCE_ID") ?? `${os.hostname()}-${process.pid}`)
    .digest("base64url")
    .slice(0, 8);
  return tag;
}

/** For tests: the tag is computed again from the environment. */
export function resetInstanceTagForTests(): void {
  tag = undefined;
}
