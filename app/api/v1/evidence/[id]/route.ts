import { personRoute } from "@/lib/api/route";
import { guard } from "@/lib/auth/guard";
import { downloadHeaders, etagOf, evidenceIdParams, notModified } from "@/lib/evidence/download";
import { evidenceFile } from "@/lib/evidence/store";
import { parseInput } from "@/lib/validation";

export const dynamic = "force-dynamic";

// Downloads an evidence item's file: the answer is the file itself, errors the usual JSON
// `{ error, code }` (400 for a malformed id, 401, 403, 404). The permission is checked after the id is
// read, so a refusal is audited against the evidence asked for.
export const GET = personRoute(async (actor, request, params) => {
  const { id } = parseInput(evidenceIdParams, params);
  await guard(actor, "catalog.view", { type: "evidence", id });
  const file = await evidenceFile(id);
  const headers = new Headers(downloadHeaders({ fileName: file.fileName, mediaType: file.mediaType, sha256: file.sha256, size: file.content.length }));
  if (notModified(request.headers.get("if-none-match"), etagOf(file.sha256))) {
    headers.delete("Content-Length");
    return new Response(null, { status: 304, headers });
  }
  return new Response(file.content, { headers });
});
