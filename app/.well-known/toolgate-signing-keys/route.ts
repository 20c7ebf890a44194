import { NextResponse } from "next/server";
import { errorResponse } from "@/lib/http";
import { signingKeySet } from "@/lib/signing/keys";

// Public: hosts fetch the keys to verify certified manifests themselves.
export const dynamic = "force-dynamic";

export async function GET() {
  try {
    return NextResponse.json(await signingKeySet(), { headers: { "Cache-Control": "public, max-age=300" } });
  } catch (error) {
    return errorResponse(error);
  }
}
