import { serverIdParams } from "@/lib/api/catalog-contract";
import { serverEntryView } from "@/lib/api/catalog-views";
import { apiRoute } from "@/lib/api/route";
import { guard } from "@/lib/auth/guard";
import { getServer } from "@/lib/catalog/read";
import { parseInput } from "@/lib/validation";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (actor, _request, params) => {
  const { id } = parseInput(serverIdParams, params);
  await guard(actor, "catalog.view", { type: "server", id });
  return serverEntryView(await getServer(id));
});
