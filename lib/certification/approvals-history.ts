import { db } from "@/lib/db/prisma";
import { pendingPromotions } from "./promotion";

// What the approvals inbox shows: the promotion requests waiting for an approver, and the ones an
// approver decided. Promotions keep only person ids, so names are looked up in one query per list
// (peopleById, also used for pending access grants).

export interface Person {
  name: string;
  email: string;
}

/** A lookup of people by id, fetched in one query; unknown or absent ids give null. */
export async function peopleById(ids: (string | null)[]): Promise<(id: string | null) => Person | null> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
  const people = wanted.length ? await db().user.findMany({ where: { id: { in: wanted } }, select: { id: true, name: true, email: true } }) : [];
  const byId = new Map(people.map(({ id, ...person }) => [id, person]));
  return (id) => (id ? (byId.get(id) ?? null) : null);
}

/** Pending promotion requests, oldest first, with who asked. Unscoped read: the caller checks "approvals.view". */
export async function pendingApprovals() {
  const pending = await pendingPromotions();
  const person = await peopleById(pending.map((promotion) => promotion.requestedById));
  return pending.map((promotion) => ({ ...promotion, requestedBy: person(promotion.requestedById) }));
}

export type PendingApproval = Awaited<ReturnType<typeof pendingApprovals>>[number];

/**
 * The most recently decided promotion requests (approved, hence promoted, or denied), newest decision
 * first. Promotions that took effect without a decision (dev, staging) are not approvals and are left out.
 * Unscoped read: the caller checks "approvals.view".
 */
export async function decidedPromotions(limit = 50) {
  const take = Math.min(Math.max(Math.trunc(limit) || 1, 1), 500);
  const decided = await db().promotion.findMany({
    where: { decidedAt: { not: null }, status: { not: "pending" } },
    orderBy: [{ decidedAt: "desc" }, { id: "desc" }],
    take,
    select: {
      id: true,
      environment: true,
      status: true,
      requestedAt: true,
      requestedById: true,
      decidedAt: true,
      decidedById: true,
      decisionReason: true,
      version: { select: { version: true, server: { select: { id: true, name: true, title: true } } } },
    },
  });
  const person = await peopleById(decided.flatMap((promotion) => [promotion.requestedById, promotion.decidedById]));
  return decided.map((promotion) => ({
    ...promotion,
    decidedAt: promotion.decidedAt!,
    decision: promotion.status === "promoted" ? ("approved" as const) : ("denied" as const),
    requestedBy: person(promotion.requestedById),
    decidedBy: person(promotion.decidedById),
  }));
}

export type DecidedPromotion = Awaited<ReturnType<typeof decidedPromotions>>[number];
