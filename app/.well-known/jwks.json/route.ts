import { NextResponse } from "next/server";
import { errorResponse } from "@/lib/http";
import { signingKeySet } from "@/lib/signing/keys";

// Public, at the conventional address: backends of `minted` servers verify Toolgate's per-request
// tokens with these keys (decision 027); the same set as /.well-known/toolgate-signing-keys.
export const dynamic = "force-dynamic";

export async function GET() {
  try {
    return NextResponse.json(await signingKeySet(), { headers: { "Cache-Control": "public, max-age=300" } });
  } catch (error) {
    return errorResponse(error);
  }
}
