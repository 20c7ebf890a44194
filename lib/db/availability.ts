// Whether an error means the database cannot be reached right now (down, restarting, refusing or
// dropping connections), as opposed to a query that failed on a database that works. The first kind
// is worth a retry later, and the gateway says so (HTTP 503, Retry-After) instead of a bare 500.

// Prisma: can't reach the server, timed out reaching it, operations timed out, server closed the
// connection, no connection from the pool in time.
const prismaCodes = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
// Node's sockets, and SQLSTATEs: 57P01-57P03 shutdown / crash / starting up, 53300 too many connections.
const driverCodes = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "57P01", "57P02", "57P03", "53300"]);
// node-postgres words these without a code.
const driverMessages = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i;

function codeOf(error: object): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

export function isDatabaseUnavailable(error: unknown): boolean {
  // Adapters wrap the driver's error in `cause` (and Prisma's in meta.driverAdapterError), so look down the chain.
  for (let current = error, depth = 0; current && typeof current === "object" && depth < 5; depth++) {
    const code = codeOf(current);
    if (code && (prismaCodes.has(code) || driverCodes.has(code) || code.startsWith("08"))) return true;
    if (current instanceof Error && driverMessages.test(current.message)) return true;
    const meta = (current as { meta?: { driverAdapterError?: unknown } }).meta;
    current = (current as { cause?: unknown }).cause ?? meta?.driverAdapterError;
  }
  return false;
}
