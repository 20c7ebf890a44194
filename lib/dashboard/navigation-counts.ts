import { can } from "@/lib/auth/authorize";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { Prisma } from "@/lib/generated/prisma/client";
import { ownsServerSql, type PendingApprovalColumns, pendingApprovalColumns, pendingApprovalsOf } from "./pending-approvals";

// The main navigation's badges: what waits for the signed-in person, read in one statement on every page.

export interface NavigationCounts {
  /** Versions the person may claim (submitted, on a server they do not own) or has claimed and not decided. */
  reviews: number;
  /** Approvals of every kind the person may decide (lib/dashboard/pending-approvals.ts). */
  approvals: number;
  /** Open drift incidents, for those who see the catalog. */
  drift: number;
  /** Proposed policy sets an approver may decide: every one but their own. */
  policies: number;
  /** Submitted bundle versions a reviewer may decide: every one but their own. */
  bundles: number;
}

const zero = Prisma.sql`0`;

export async function navigationCounts(person: Actor, now = new Date()): Promise<NavigationCounts> {
  const reviews = can(person, "reviews.decide")
    ? Prisma.sql`(SELECT count(*)::int FROM "server_versions" v
        WHERE (v."status" = 'submitted' AND NOT ${ownsServerSql(person.id, Prisma.sql`v."server_id"`)})
           OR (v."status" = 'in_review' AND v."reviewer_id" = ${person.id}::uuid))`
    : zero;
  const drift = can(person, "catalog.view") ? Prisma.sql`(SELECT count(*)::int FROM "drift_incidents" d WHERE d."resolved_at" IS NULL)` : zero;
  const policies = can(person, "policies.approve")
    ? Prisma.sql`(SELECT count(*)::int FROM "policy_sets" p WHERE p."status" = 'proposed' AND p."author_id" IS DISTINCT FROM ${person.id}::uuid)`
    : zero;
  const bundles = can(person, "bundles.review")
    ? Prisma.sql`(SELECT count(*)::int FROM "bundle_versions" b WHERE b."status" = 'submitted' AND b."author_id" <> ${person.id}::uuid)`
    : zero;
  const [row] = await db().$queryRaw<(PendingApprovalColumns & { reviews: number; drift: number; policies: number; bundles: number })[]>`
    SELECT ${pendingApprovalColumns(now, person)}, ${reviews} AS "reviews", ${drift} AS "drift", ${policies} AS "policies", ${bundles} AS "bundles"`;
  return { reviews: row!.reviews, approvals: pendingApprovalsOf(row!).pending, drift: row!.drift, policies: row!.policies, bundles: row!.bundles };
}
