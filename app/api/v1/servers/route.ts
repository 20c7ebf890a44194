import { catalogQuery } from "@/lib/api/catalog-contract";
import { apiRoute, jsonBody, searchParamsOf } from "@/lib/api/route";
import { guard } from "@/lib/auth/guard";
import { registerServer } from "@/lib/catalog/register";
import { searchCatalog } from "@/lib/catalog/search";
import { parseInput } from "@/lib/validation";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (actor, request) => {
  await guard(actor, "catalog.view", { type: "server" });
  return { servers: await searchCatalog(parseInput(catalogQuery, searchParamsOf(request))) };
});

export const POST = apiRoute(async (actor, request) => registerServer(actor, await jsonBody(request)), 201);
