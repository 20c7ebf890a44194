import { policySetDraftBody } from "@/lib/api/policy-contract";
import { apiRoute, jsonBody } from "@/lib/api/route";
import { listPolicySets, saveDraft } from "@/lib/policy/policy-sets";
import { parseInput } from "@/lib/validation";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (actor) => ({ policySets: await listPolicySets(actor) }));

export const POST = apiRoute(async (actor, request) => saveDraft(actor, parseInput(policySetDraftBody, await jsonBody(request))), { status: 201 });
