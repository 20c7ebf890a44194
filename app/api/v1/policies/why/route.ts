import { apiRoute, jsonBody } from "@/lib/api/route";
import { explainDecision } from "@/lib/policy/explain";

export const dynamic = "force-dynamic";

export const POST = apiRoute(async (actor, request) => explainDecision(actor, await jsonBody(request)));
