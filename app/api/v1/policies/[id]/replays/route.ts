import { apiRoute, jsonBody } from "@/lib/api/route";
import { latestReplay, startReplay } from "@/lib/policy/replay-runs";

export const dynamic = "force-dynamic";

export const POST = apiRoute(async (actor, request, params) => startReplay(actor, params.id, await jsonBody(request)), { status: 202 });

export const GET = apiRoute(async (actor, _request, params) => ({ replay: await latestReplay(actor, params.id) }));
