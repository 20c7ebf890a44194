import { policySetIdParams, shadowBody } from "@/lib/api/policy-contract";
import { apiRoute, jsonBody } from "@/lib/api/route";
import { setPolicySetShadow } from "@/lib/policy/policy-sets";
import { parseInput } from "@/lib/validation";

export const dynamic = "force-dynamic";

export const POST = apiRoute(async (actor, request, params) => {
  const { id } = parseInput(policySetIdParams, params);
  return setPolicySetShadow(actor, id, parseInput(shadowBody, await jsonBody(request)).on);
});
