import { policySetIdParams } from "@/lib/api/policy-contract";
import { apiRoute } from "@/lib/api/route";
import { rollBackPolicySet } from "@/lib/policy/policy-sets";
import { parseInput } from "@/lib/validation";

export const dynamic = "force-dynamic";

export const POST = apiRoute(async (actor, _request, params) => rollBackPolicySet(actor, parseInput(policySetIdParams, params).id));
