import { policySetIdParams, rejectionBody } from "@/lib/api/policy-contract";
import { apiRoute, jsonBody } from "@/lib/api/route";
import { rejectPolicySet } from "@/lib/policy/policy-sets";
import { parseInput } from "@/lib/validation";

export const dynamic = "force-dynamic";

export const POST = apiRoute(async (actor, request, params) => {
  const { id } = parseInput(policySetIdParams, params);
  return rejectPolicySet(actor, id, parseInput(rejectionBody, await jsonBody(request)).reason);
});
