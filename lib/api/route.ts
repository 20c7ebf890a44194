import { NextResponse } from "next/server";
import type { Action } from "@/lib/auth/authorize";
import { guard } from "@/lib/auth/guard";
import { requireActor, type CurrentUser } from "@/lib/auth/session";
import { ValidationError } from "@/lib/errors";
import { errorResponse } from "@/lib/http";

type Params = Promise<Record<string, string | string[]>>;

type Handler<T> = (actor: CurrentUser, request: Request, params: Record<string, string | string[]>) => Promise<T>;

/**
 * A route handler for a signed-in person: the actor is resolved first, then the `permission` the route
 * declares is checked (an audited 403, like dub's `requiredPermissions`); domain errors become
 * `{ error, code }` with their status (lib/errors.ts), anything else a logged 500. Writes declare none:
 * their service checks role and team itself, after the body is read. For answers that are not JSON
 * (a file, a stream); JSON routes use apiRoute.
 */
export function personRoute(handle: Handler<Response>, { permission }: { permission?: Action } = {}) {
  return async (request: Request, context: { params: Params }) => {
    try {
      const actor = await requireActor();
      if (permission) await guard(actor, permission, { type: "route", id: new URL(request.url).pathname });
      return await handle(actor, request, await context.params);
    } catch (error) {
      return errorResponse(error);
    }
  };
}

/** A JSON API route handler for a signed-in person (personRoute), answering with what `handle` returns. */
export function apiRoute(handle: Handler<unknown>, { status = 200, permission }: { status?: number; permission?: Action } = {}) {
  return personRoute(async (actor, request, params) => NextResponse.json(await handle(actor, request, params), { status }), { permission });
}

const maxBodyBytes = 1024 * 1024;

/**
 * Whether a Content-Type header names JSON exactly (parameters such as charset aside). A "simple" type a
 * page on another site may send without asking (text/plain, even "text/plain; charset=application/json")
 * is not JSON, so such a request cannot pass for an API call.
 */
export function isJsonMediaType(contentType: string | null): boolean {
  return contentType?.split(";", 1)[0]!.trim().toLowerCase() === "application/json";
}

/** The request's JSON body: refused when it is not JSON or larger than 1 MB. */
export async function jsonBody(request: Request): Promise<unknown> {
  if (!isJsonMediaType(request.headers.get("content-type"))) {
    throw new ValidationError("Send the body as JSON with Content-Type: application/json.");
  }
  // Refused by its declared length before it is read; a body that lied about its length is measured too.
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > maxBodyBytes) throw new ValidationError("The request body must be at most 1 MB.");
  const text = await request.text();
  if (Buffer.byteLength(text) > maxBodyBytes) throw new ValidationError("The request body must be at most 1 MB.");
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError("The request body is not valid JSON.");
  }
}

export function searchParamsOf(request: Request): Record<string, string> {
  return Object.fromEntries(new URL(request.url).searchParams);
}
