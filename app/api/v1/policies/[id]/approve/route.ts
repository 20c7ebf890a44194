import { approvalBody, policySetIdParams } from "@/lib/api/policy-contract";
import { apiRoute, jsonBody } from "@/lib/api/route";
import { approvePolicySet } from "@/lib/policy/policy-sets";
import { parseInput } from "@/lib/validation";

export const dynamic = "force-dynamic";

export const POST = apiRoute(async (actor, request, params) => {
  const { id } = parseInput(policySetIdParams, params);
  return approvePolicySet(actor, id, parseInput(approvalBody, await jsonBody(request)).reason);
});
