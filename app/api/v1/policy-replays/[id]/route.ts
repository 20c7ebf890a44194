import { apiRoute } from "@/lib/api/route";
import { getReplay } from "@/lib/policy/replay-runs";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (actor, _request, params) => getReplay(actor, params.id));
