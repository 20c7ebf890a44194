import { serverIdParams } from "@/lib/api/catalog-contract";
import { apiRoute, jsonBody } from "@/lib/api/route";
import { updateHostPatterns } from "@/lib/catalog/edit";
import { parseInput } from "@/lib/validation";

export const dynamic = "force-dynamic";

export const PUT = apiRoute(async (actor, request, params) => {
  const { id } = parseInput(serverIdParams, params);
  return updateHostPatterns(actor, id, await jsonBody(request));
});
