// PostgreSQL's SQLSTATE of a failed statement, from node-postgres (`code`) or from Prisma's driver
// adapter (`meta.driverAdapterError.cause.code`); undefined when the error did not come from the server.

interface MaybeDatabaseError {
  code?: unknown;
  meta?: { driverAdapterError?: { cause?: { code?: unknown } } };
}

export function sqlState(error: unknown): string | undefined {
  if (!error || typeof error !== "object") return undefined;
  const { code, meta } = error as MaybeDatabaseError;
  const adapterCode = meta?.driverAdapterError?.cause?.code;
  if (typeof adapterCode === "string") return adapterCode;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
