import { serverIdParams } from "@/lib/api/catalog-contract";
import { apiRoute, jsonBody } from "@/lib/api/route";
import { importVersion } from "@/lib/catalog/versions";
import { parseInput } from "@/lib/validation";

export const dynamic = "force-dynamic";

/** Imports what the live server declares now as a new draft version; answers with the per-tool diff. */
export const POST = apiRoute(async (actor, request, params) => {
  const { id } = parseInput(serverIdParams, params);
  return importVersion(actor, id, await jsonBody(request));
}, { status: 201 });
