import { searchParamsOf } from "@/lib/api/route";
import { publicBaseUrl, registryPreflight, registryRoute } from "@/lib/registry/http";
import { parseVersionsQuery, pathNames } from "@/lib/registry/params";
import { serverVersions } from "@/lib/registry/read";
import { registryViewer } from "@/lib/registry/viewer";

// Official MCP Registry API v0.1: every version of one server (name URL-encoded: com.example%2Fcrm).
export const dynamic = "force-dynamic";

export const GET = registryRoute<{ serverName: string }>(async (request, params) => {
  const { serverName } = pathNames(request.url, params);
  const { granted } = parseVersionsQuery(searchParamsOf(request));
  const viewer = await registryViewer(request.headers.get("authorization"), granted ?? false);
  return serverVersions(viewer, serverName, publicBaseUrl(request));
});

export const OPTIONS = registryPreflight;
