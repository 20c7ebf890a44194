import { policySetDraftBody, policySetIdParams } from "@/lib/api/policy-contract";
import { apiRoute, jsonBody } from "@/lib/api/route";
import { getPolicySet, saveDraft } from "@/lib/policy/policy-sets";
import { parseInput } from "@/lib/validation";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (actor, _request, params) => getPolicySet(actor, parseInput(policySetIdParams, params).id));

export const PUT = apiRoute(async (actor, request, params) => {
  const { id } = parseInput(policySetIdParams, params);
  return saveDraft(actor, { ...parseInput(policySetDraftBody, await jsonBody(request)), id });
});
