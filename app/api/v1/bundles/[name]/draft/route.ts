import { bundleInput } from "@/lib/api/bundle-params";
import { apiRoute, jsonBody } from "@/lib/api/route";
import { saveBundleDraft } from "@/lib/bundles/bundles";

export const dynamic = "force-dynamic";

export const PUT = apiRoute(async (actor, request, params) => saveBundleDraft(actor, bundleInput(params, await jsonBody(request), ["tools"])));
