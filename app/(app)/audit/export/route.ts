import { personRoute, searchParamsOf } from "@/lib/api/route";
import { exportAuditTrail } from "@/lib/audit-trail/export";

export const dynamic = "force-dynamic";

// Downloads the audit trail, filtered like the page (/audit/export?action=gateway.&format=csv). It sits
// beside the page rather than under /api/v1: it is the page's download link, behind the same session,
// not part of the versioned JSON API. Errors are the usual JSON `{ error, code }` (400, 401, 403).
export const GET = personRoute(async (actor, request) => {
  const exported = await exportAuditTrail(actor, searchParamsOf(request));
  return new Response(exported.body, { headers: exported.headers });
});
