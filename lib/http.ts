import { NextResponse } from "next/server";
import { DomainError, errorCodes } from "@/lib/errors";

/** Maps an error to JSON `{ error, code }` with the domain error's status; anything unexpected is a bare 500. */
export function errorResponse(error: unknown): NextResponse {
  if (error instanceof DomainError) return NextResponse.json({ error: error.message, code: error.code }, { status: error.status });
  console.error(error);
  return NextResponse.json({ error: "Internal error; the incident was logged.", code: errorCodes[500] }, { status: 500 });
}
