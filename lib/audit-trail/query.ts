import { likeLiteral } from "@/lib/db/like";
import { db } from "@/lib/db/prisma";
import type { AuditEvent, Prisma } from "@/lib/generated/prisma/client";
import type { AuditFilters } from "./filters";

// Reading the audit trail. Pages are keyed by chain position rather than offset: the trail only grows,
// so an offset would shift under a reader while new events arrive, and the position is indexed.

function whereOf(filters: AuditFilters): Prisma.AuditEventWhereInput {
  const { actor, action, target, outcome, from, before, q, cursor, event } = filters;
  const conditions: Prisma.AuditEventWhereInput[] = [];
  if (actor) conditions.push({ actorLabel: { contains: likeLiteral(actor), mode: "insensitive" } });
  if (action) conditions.push({ action: action.prefix ? { startsWith: likeLiteral(action.value) } : action.value });
  if (target) conditions.push(target.id === undefined ? { targetType: target.type } : { targetType: target.type, targetId: target.id });
  if (outcome) conditions.push({ outcome });
  if (from || before) conditions.push({ occurredAt: { gte: from, lt: before } });
  if (q) conditions.push({ OR: [{ reason: { contains: likeLiteral(q), mode: "insensitive" } }, { correlationId: { contains: likeLiteral(q), mode: "insensitive" } }] });
  if (cursor) conditions.push({ chainSeq: { lt: cursor } });
  if (event) conditions.push({ id: event });
  return { AND: conditions };
}

export interface AuditPage {
  /** Newest first. */
  events: AuditEvent[];
  /** The cursor of the next, older page; null when this page reaches the oldest matching event. */
  olderCursor: bigint | null;
}

/**
 * One page of matching events, newest first; pass `olderCursor` back as the filters' cursor for the next.
 * Unscoped read: the caller checks "audit.view".
 */
export async function searchAuditEvents(filters: AuditFilters, limit = 100): Promise<AuditPage> {
  const rows = await db().auditEvent.findMany({ where: whereOf(filters), orderBy: { chainSeq: "desc" }, take: limit + 1 });
  const events = rows.slice(0, limit);
  return { events, olderCursor: rows.length > limit ? events[events.length - 1]!.chainSeq : null };
}

/**
 * Every matching event in chain order, a page at a time, so an export never holds the whole trail in
 * memory. It stops at the chain's last event when it starts: events appended meanwhile (on a busy
 * gateway, possibly faster than they are read) belong to the next export.
 */
export async function* auditEventsForExport(filters: AuditFilters, pageSize = 5_000): AsyncGenerator<AuditEvent[]> {
  const where = whereOf(filters);
  const { _max } = await db().auditEvent.aggregate({ _max: { chainSeq: true } });
  const last = _max.chainSeq;
  if (last === null) return;
  let after = 0n;
  for (;;) {
    const page = await db().auditEvent.findMany({
      where: { AND: [where, { chainSeq: { gt: after, lte: last } }] },
      orderBy: { chainSeq: "asc" },
      take: pageSize,
    });
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
    after = page[page.length - 1]!.chainSeq;
  }
}
