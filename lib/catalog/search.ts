import { likeLiteral } from "@/lib/db/like";
import { db, type Tx } from "@/lib/db/prisma";
import { Prisma } from "@/lib/generated/prisma/client";
import { type CatalogQuery, type EnvironmentName, environments } from "./schemas";

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
  /** The version pinned in each environment that has one. */
  pins: { environment: string; version: string }[];
  /** Tools of the server with an open drift incident. */
  driftedTools: number;
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
 * One query for the page: each row also carries its pins and its count of drifted tools.
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
           lv.status::text AS "status", coalesce(lv.tool_count, 0)::int AS "toolCount",
           coalesce((SELECT json_agg(json_build_object('environment', p.environment::text, 'version', pv.version) ORDER BY p.environment)
                     FROM pins p JOIN server_versions pv ON pv.id = p.version_id WHERE p.server_id = s.id), '[]'::json) AS "pins",
           (SELECT count(DISTINCT d.tool_name) FROM drift_incidents d WHERE d.server_id = s.id AND d.resolved_at IS NULL)::int AS "driftedTools"
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

/** What each of the entry's environments runs, in dev → staging → prod order: the pinned version, or null. */
export function pinsByEnvironment(row: Pick<CatalogRow, "environments" | "pins">): { environment: EnvironmentName; version: string | null }[] {
  const pinned = new Map(row.pins.map((pin) => [pin.environment, pin.version]));
  return environments
    .filter((environment) => row.environments.includes(environment) || pinned.has(environment))
    .map((environment) => ({ environment, version: pinned.get(environment) ?? null }));
}
