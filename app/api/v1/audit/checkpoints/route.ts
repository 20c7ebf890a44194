import { NextResponse } from "next/server";
import { searchParamsOf } from "@/lib/api/route";
import { listAuditCheckpoints } from "@/lib/audit/checkpoint-list";
import { errorResponse } from "@/lib/http";

// Public, no session (docs/decisions/041): a checkpoint protects against the database's owner only if people
// outside the operator keep copies, and it tells nothing of what happened, only positions and hashes.
export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  try {
    return NextResponse.json(await listAuditCheckpoints(searchParamsOf(request)), { headers: { "Cache-Control": "public, max-age=60" } });
  } catch (error) {
    return errorResponse(error);
  }
}
