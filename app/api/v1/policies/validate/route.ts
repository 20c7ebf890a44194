import { validateBody } from "@/lib/api/policy-contract";
import { apiRoute, jsonBody } from "@/lib/api/route";
import { validatePolicySet } from "@/lib/policy/policy-set";
import { parseInput } from "@/lib/validation";

export const dynamic = "force-dynamic";

export const POST = apiRoute(async (_actor, request) => ({ problems: validatePolicySet(parseInput(validateBody, await jsonBody(request)).text) }), {
  permission: "policies.view",
});
