import { likeLiteral } from "@/lib/db/like";
import { db, type Tx } from "@/lib/db/prisma";
import { Prisma } from "@/lib/generated/prisma/client";
import type { CatalogQuery } from "./schemas";

/**
 * Rebuilds the entry's full-text document: name and title weigh most, then purpose, then the names,
 * titles and descriptions of the tools of every version. Call it in the transaction that changed them.
 */
export async function refreshSearchDocument(tx: Tx, serverId: string): Promise<void> {
  await tx.$executeRaw`
    UPDATE servers s SET search_vector =
      setweight(to_tsvector('english', s.name || ' ' || translate(s.name, './-_', '    ')), 'A') ||
      setweight(to_tsvector('english', s.title), 'A') ||
      setweight(to_tsvector('english', s.purpose), 'B') ||
      setweight(to_tsvector('english', coalesce((
        SELECT string_agg(concat_ws(' ', t.name, translate(t.name, '_-.', '   '), t.title, t.description), ' ')
        FROM version_tools t JOIN server_versions v ON v.id = t.version_id WHERE v.server_id = s.id), '')), 'C')
    WHERE s.id = ${serverId}::uuid`;
}

export interface CatalogRow {
  id: string;
  name: string;
  title: string;
  purpose: string;
  classification: string;
  riskTier: string | null;
  environments: string[];
  teamName: string;
  latestVersion: string | null;
  status: string | null;
  toolCount: number;
}

function likePattern(text: string): string {
  return `%${likeLiteral(text)}%`;
}

function conditions(query: CatalogQuery): Prisma.Sql[] {
  const where: Prisma.Sql[] = [];
  if (query.q) {
    where.push(Prisma.sql`(s.search_vector @@ websearch_to_tsquery('english', ${query.q}) OR s.name ILIKE ${likePattern(query.q)})`);
  }
  if (query.status) where.push(Prisma.sql`lv.status = ${query.status}::"VersionStatus"`);
  if (query.riskTier) where.push(Prisma.sql`s.risk_tier = ${query.riskTier}::"RiskTier"`);
  if (query.classification) where.push(Prisma.sql`s.classification = ${query.classification}::"DataClassification"`);
  if (query.teamId) where.push(Prisma.sql`s.team_id = ${query.teamId}::uuid`);
  if (query.environment) where.push(Prisma.sql`${query.environment}::"Environment" = ANY(s.environments)`);
  if (query.name) where.push(Prisma.sql`s.name = ${query.name}`);
  return where;
}

/**
 * Catalog entries matching the search and filters, best match first; the latest version gives the status.
 * Unscoped read: the caller checks "catalog.view".
 */
export async function searchCatalog(query: CatalogQuery, limit = 200): Promise<CatalogRow[]> {
  const where = conditions(query);
  const order = query.q
    ? Prisma.sql`ts_rank(s.search_vector, websearch_to_tsquery('english', ${query.q})) DESC, s.name ASC`
    : Prisma.sql`s.name ASC`;
  return db().$queryRaw<CatalogRow[]>`
    SELECT s.id, s.name, s.title, s.purpose, s.classification::text AS "classification", s.risk_tier::text AS "riskTier",
           s.environments::text[] AS "environments", t.name AS "teamName", lv.version AS "latestVersion",
           lv.status::text AS "status", coalesce(lv.tool_count, 0)::int AS "toolCount"
    FROM servers s
    JOIN teams t ON t.id = s.team_id
    LEFT JOIN LATERAL (
      SELECT v.version, v.status, (SELECT count(*) FROM version_tools vt WHERE vt.version_id = v.id) AS tool_count
      FROM server_versions v WHERE v.server_id = s.id ORDER BY v.created_at DESC LIMIT 1
    ) lv ON true
    ${where.length ? Prisma.sql`WHERE ${Prisma.join(where, " AND ")}` : Prisma.empty}
    ORDER BY ${order}
    LIMIT ${limit}`;
}
