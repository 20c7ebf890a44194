import { versionParams } from "@/lib/api/catalog-contract";
import { versionDetailView } from "@/lib/api/catalog-views";
import { apiRoute } from "@/lib/api/route";
import { changesFromPrevious, getVersion } from "@/lib/catalog/read";
import { parseInput } from "@/lib/validation";

export const dynamic = "force-dynamic";

export const GET = apiRoute(
  async (_actor, _request, params) => {
    const { id, version } = parseInput(versionParams, params);
    const detail = await getVersion(id, version);
    return versionDetailView(detail, await changesFromPrevious(id, detail));
  },
  { permission: "catalog.view" },
);
