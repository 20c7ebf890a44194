import { ConflictError } from "@/lib/errors";
import { Prisma } from "@/lib/generated/prisma/client";

/** Whether a Prisma write failed on a unique constraint (P2002): the name, key or pending request is taken. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

/** Awaits a write; if it failed because what it creates is taken, throws a ConflictError saying so instead. */
export async function conflictIfTaken<T>(write: Promise<T>, taken: string): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(taken);
    throw error;
  }
}
