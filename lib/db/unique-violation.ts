import { Prisma } from "@/lib/generated/prisma/client";

/** Whether a Prisma write failed on a unique constraint (P2002): the name, key or pending request is taken. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}
