import { db } from "@/lib/db/prisma";

export async function recentAuditEvents(limit = 100) {
  return db().auditEvent.findMany({ orderBy: { id: "desc" }, take: limit });
}
