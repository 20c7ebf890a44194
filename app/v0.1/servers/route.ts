import { searchParamsOf } from "@/lib/api/route";
import { publicBaseUrl, registryPreflight, registryRoute } from "@/lib/registry/http";
import { parseListQuery } from "@/lib/registry/params";
import { listServers } from "@/lib/registry/read";
import { registryViewer } from "@/lib/registry/viewer";

// Official MCP Registry API v0.1: list servers. Authenticated by an agent key, not a session.
export const dynamic = "force-dynamic";

export const GET = registryRoute(async (request) => {
  const query = parseListQuery(searchParamsOf(request));
  const viewer = await registryViewer(request.headers.get("authorization"), query.granted ?? false);
  return listServers(viewer, query, publicBaseUrl(request));
});

export const OPTIONS = registryPreflight;
