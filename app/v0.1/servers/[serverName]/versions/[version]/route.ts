import { searchParamsOf } from "@/lib/api/route";
import { publicBaseUrl, registryPreflight, registryRoute } from "@/lib/registry/http";
import { checkVersion, parseVersionsQuery, pathNames } from "@/lib/registry/params";
import { serverVersion } from "@/lib/registry/read";
import { registryViewer } from "@/lib/registry/viewer";

// Official MCP Registry API v0.1: one version of one server, or `latest`.
export const dynamic = "force-dynamic";

export const GET = registryRoute<{ serverName: string; version: string }>(async (request, params) => {
  const { serverName, version } = pathNames(request.url, params);
  const { granted } = parseVersionsQuery(searchParamsOf(request));
  const viewer = await registryViewer(request.headers.get("authorization"), granted ?? false);
  return serverVersion(viewer, serverName, checkVersion(version ?? ""), publicBaseUrl(request));
});

export const OPTIONS = registryPreflight;
