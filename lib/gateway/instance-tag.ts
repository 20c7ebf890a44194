import { createHash } from "node:crypto";
import { instanceId } from "@/lib/config/instance";

// A short tag naming this instance inside the tokens it hands out and alone can honour (a suspended 2026-era
// call's requestState, ./suspended-calls.ts), so another instance that gets one can say where it belongs
// rather than call it forged, and forward it there (./call-resumptions.ts). A digest of the instance id
// (TOOLGATE_INSTANCE_ID, default "<hostname>-<pid>") and the process id: 48 bits, no host name in a client's
// hands. Per process, because what it names lives in one process's memory, and under `npm start` an instance is
// two processes sharing TOOLGATE_INSTANCE_ID (the front server and Next.js), both listening to the database.

let tag: string | undefined;

export function instanceTag(): string {
  tag ??= createHash("sha256")
    .update(`${instanceId()}/${process.pid}`)
    .digest("base64url")
    .slice(0, 8);
  return tag;
}

/** For tests: the tag is computed again from the environment. */
export function resetInstanceTagForTests(): void {
  tag = undefined;
}
