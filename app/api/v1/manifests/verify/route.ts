import { NextResponse } from "next/server";
import { z } from "zod";
import { jsonBody } from "@/lib/api/route";
import { errorResponse } from "@/lib/http";
import { verifyManifest } from "@/lib/signing/manifest";
import { parseInput } from "@/lib/validation";

// Public, no session: anyone holding a manifest may check that the catalog signed it.
const verifyBody = z.object({
  manifest: z.unknown().refine((value) => value !== undefined, "manifest is required."),
  signature: z.string({ error: "signature must be the base64url signature text." }).max(512, "signature is too long."),
  keyId: z.string({ error: "keyId must be the signing key's id." }).max(128, "keyId is too long."),
});

export async function POST(request: Request) {
  try {
    const { manifest, signature, keyId } = parseInput(verifyBody, await jsonBody(request));
    return NextResponse.json(await verifyManifest(manifest, signature, keyId));
  } catch (error) {
    return errorResponse(error);
  }
}
