import { versionParams } from "@/lib/api/catalog-contract";
import { versionDetailView } from "@/lib/api/catalog-views";
import { apiRoute } from "@/lib/api/route";
import { guard } from "@/lib/auth/guard";
import { changesFromPrevious, getVersion } from "@/lib/catalog/read";
import { parseInput } from "@/lib/validation";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async (actor, _request, params) => {
  const { id, version } = parseInput(versionParams, params);
  await guard(actor, "catalog.view", { type: "server", id });
  const detail = await getVersion(id, version);
  return versionDetailView(detail, await changesFromPrevious(id, detail));
});
