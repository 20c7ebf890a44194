import { notFound } from "next/navigation";
import { NotFoundError } from "@/lib/errors";

/** For pages: what a domain function could not find (an unknown or malformed id) is a 404, not an error. */
export async function orNotFound<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof NotFoundError) notFound();
    throw error;
  }
}
