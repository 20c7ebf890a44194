import { NextResponse } from "next/server";
import { bundleInput } from "@/lib/api/bundle-params";
import { jsonBody, personRoute } from "@/lib/api/route";
import { decideBundleVersion } from "@/lib/bundles/bundles";

export const dynamic = "force-dynamic";

export const POST = personRoute(async (actor, request, params) => {
  await decideBundleVersion(actor, bundleInput(params, await jsonBody(request), ["reason"]), "reject");
  return new NextResponse(null, { status: 204 });
});
