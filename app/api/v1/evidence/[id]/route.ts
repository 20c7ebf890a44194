import { guard } from "@/lib/auth/guard";
import { requireActor } from "@/lib/auth/session";
import { downloadHeaders, etagOf, evidenceIdParams, notModified } from "@/lib/evidence/download";
import { evidenceFile } from "@/lib/evidence/store";
import { errorResponse } from "@/lib/http";
import { parseInput } from "@/lib/validation";

export const dynamic = "force-dynamic";

// Downloads an evidence item's file. Not apiRoute: the answer is the file itself, not JSON, though
// errors are the usual JSON `{ error, code }` (400 for a malformed id, 401, 403, 404).
export async function GET(request: Request, context: { params: Promise<{ id: string }> }) {
  try {
    const actor = await requireActor();
    const { id } = parseInput(evidenceIdParams, await context.params);
    await guard(actor, "catalog.view", { type: "evidence", id });
    const file = await evidenceFile(id);
    const headers = new Headers(downloadHeaders({ fileName: file.fileName, mediaType: file.mediaType, sha256: file.sha256, size: file.content.length }));
    if (notModified(request.headers.get("if-none-match"), etagOf(file.sha256))) {
      headers.delete("Content-Length");
      return new Response(null, { status: 304, headers });
    }
    return new Response(file.content, { headers });
  } catch (error) {
    return errorResponse(error);
  }
}
