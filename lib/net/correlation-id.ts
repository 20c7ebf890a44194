// One rule for correlation ids, shared by proxy.ts (pages and APIs) and the gateway's edge
// (lib/gateway/http.ts): a caller's own X-Correlation-Id is kept for tracing if it is a plain token,
// so a host can find its calls in the audit trail; anything else is replaced by a fresh one.

export const correlationHeader = "x-correlation-id";

const plainToken = /^[\w.:-]{1,100}$/;

/** The caller's correlation id if it is a plain token (letters, digits, `_.:-`, at most 100), else a new UUID. */
export function correlationIdFrom(headers: Pick<Headers, "get">): string {
  const given = headers.get(correlationHeader);
  return given !== null && plainToken.test(given) ? given : crypto.randomUUID();
}
