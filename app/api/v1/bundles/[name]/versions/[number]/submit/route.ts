import { NextResponse } from "next/server";
import { bundleInput } from "@/lib/api/bundle-params";
import { personRoute } from "@/lib/api/route";
import { submitBundleVersion } from "@/lib/bundles/bundles";

export const dynamic = "force-dynamic";

export const POST = personRoute(async (actor, _request, params) => {
  await submitBundleVersion(actor, bundleInput(params));
  return new NextResponse(null, { status: 204 });
});
