import type { AuditAction } from "@/lib/audit/actions";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db/prisma";

export interface RefusedRequest {
  /** The signed-in person whose cookie came with the request, if any. */
  person: { uid?: string; email?: string | null } | null;
  method: string;
  pathname: string;
  reason: string;
  correlationId: string;
  details?: Record<string, string | null>;
}

/** The audit event for a request the proxy refuses before any route sees it (cross-site, oversized). */
export async function auditRefusedRequest(action: AuditAction, refused: RefusedRequest): Promise<void> {
  const { person } = refused;
  await recordAudit(db(), {
    actor: person?.uid ? { id: person.uid, label: person.email ?? "unknown" } : { label: "anonymous" },
    action,
    target: { type: "request", id: `${refused.method} ${refused.pathname}`.slice(0, 300) },
    outcome: "denied",
    reason: refused.reason,
    details: refused.details ?? {},
    correlationId: refused.correlationId,
  });
}
