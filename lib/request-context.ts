import { randomUUID } from "node:crypto";
import { headers } from "next/headers";
import { correlationHeader } from "@/lib/net/correlation-id";

/** The request's correlation id (set by proxy.ts), or a fresh one outside a request. */
export async function correlationId(): Promise<string> {
  try {
    return (await headers()).get(correlationHeader) ?? randomUUID();
  } catch {
    return randomUUID(); // not inside a request: scripts, tests, start-up
  }
}
