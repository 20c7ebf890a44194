import { serverIdParams } from "@/lib/api/catalog-contract";
import { serverEntryView } from "@/lib/api/catalog-views";
import { apiRoute } from "@/lib/api/route";
import { getServer } from "@/lib/catalog/read";
import { parseInput } from "@/lib/validation";

export const dynamic = "force-dynamic";

export const GET = apiRoute(
  async (_actor, _request, params) => {
    const { id } = parseInput(serverIdParams, params);
    return serverEntryView(await getServer(id));
  },
  { permission: "catalog.view" },
);
