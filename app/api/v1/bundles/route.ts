import { apiRoute, jsonBody } from "@/lib/api/route";
import { listBundles } from "@/lib/bundles/bundle-list";
import { createBundle } from "@/lib/bundles/bundles";

// Bundles (docs/decisions/033): the service checks role and team after reading the body.
export const dynamic = "force-dynamic";

export const GET = apiRoute(async (actor) => listBundles(actor));

export const POST = apiRoute(async (actor, request) => createBundle(actor, await jsonBody(request)), { status: 201 });
