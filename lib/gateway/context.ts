import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";

// The correlation id of the HTTP request being served, reachable from MCP handlers that the SDK
// calls without any request object of ours.
const context = new AsyncLocalStorage<{ correlationId: string }>();

export function withCorrelationId<T>(correlationId: string, work: () => T): T {
  return context.run({ correlationId }, work);
}

export function currentCorrelationId(): string {
  return context.getStore()?.correlationId ?? randomUUID();
}
