import { bundleInput } from "@/lib/api/bundle-params";
import { apiRoute } from "@/lib/api/route";
import { bundleDetail } from "@/lib/bundles/bundles";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (actor, _request, params) => bundleDetail(actor, bundleInput(params)));
