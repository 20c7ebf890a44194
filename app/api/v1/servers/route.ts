import { catalogQuery } from "@/lib/api/catalog-contract";
import { apiRoute, jsonBody, searchParamsOf } from "@/lib/api/route";
import { registerServer } from "@/lib/catalog/register";
import { searchCatalog } from "@/lib/catalog/search";
import { parseInput } from "@/lib/validation";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (_actor, request) => ({ servers: await searchCatalog(parseInput(catalogQuery, searchParamsOf(request))) }), {
  permission: "catalog.view",
});

export const POST = apiRoute(async (actor, request) => registerServer(actor, await jsonBody(request)), { status: 201 });
