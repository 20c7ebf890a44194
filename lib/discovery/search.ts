import { z } from "zod";
import { db } from "@/lib/db/prisma";
import { parseInput, queryText } from "@/lib/validation";
import { cosineSimilarity, type EmbeddableTool, embeddingsConfig, type EmbeddingsConfig, EmbeddingsError, embedTexts, toolEmbeddings } from "./embeddings";

// Tool search for progressive discovery (issue #19): an agent describes what it wants to do and gets
// the few tools of its own that fit. Ranking is PostgreSQL full-text search over each definition's
// weighted document (prisma/migrations/20261201200000_tool_search: name and title, description,
// parameter names, parameter descriptions), fused with embedding similarity when an embeddings API is
// configured. Only the candidates — the tools the caller may use — are ever searched or returned.
// docs/decisions/031-tool-search.md has the choices and the benchmark's numbers.

/** A tool the caller may use: its pinned version and its name there. */
export interface SearchCandidate {
  versionId: string;
  toolName: string;
}

export interface ToolSearchResult<T extends SearchCandidate> {
  /** Best first. */
  tools: T[];
  /** "hybrid" when embedding similarity took part, "text" when full-text search alone ranked. */
  ranking: "text" | "hybrid";
  /** Why ranking fell back to text alone although embeddings are configured, or null. */
  notice: string | null;
}

export const maxSearchLimit = 50;

const searchInput = z.object({
  query: queryText("The query", 500, "The query must be text.").pipe(z.string().min(1, "The query must not be empty.")),
  limit: z
    .number({ error: "The limit must be a whole number." })
    .int("The limit must be a whole number.")
    .min(1, "The limit must be at least 1.")
    .max(maxSearchLimit, `The limit must be at most ${maxSearchLimit}.`)
    .default(5),
});

/**
 * How much each weight class counts in ts_rank_cd, in its order {D, C, B, A}: parameter descriptions,
 * parameter names, description, name and title. PostgreSQL's defaults: on the benchmark no other set
 * moved recall by more than two queries (decision 031).
 */
const rankWeights = [0.1, 0.2, 0.4, 1.0];
/**
 * ts_rank_cd normalization 32: rank / (rank + 1), so one term's score saturates however often the tool
 * repeats it, and matching more of the query's rare terms wins (BM25's term-frequency saturation).
 */
const rankNormalization = 32;
/** Reciprocal rank fusion's constant (Cormack et al. 2009): 60 is the usual choice. */
const fusionK = 60;
/** How deep each ranking goes into the fusion. */
const fusionDepth = 50;

interface TextHit {
  versionId: string;
  name: string;
}

const key = (versionId: string, toolName: string) => `${versionId}\u0000${toolName}`;

/**
 * The candidates that match the query best, at most `limit` (1..50, default 5). The query is text as
 * typed into a search box (1..500 characters, one line): its words are OR-ed, stop words dropped, words
 * stemmed, snake_case and camelCase split, and the last word also matches as a prefix
 * (tool_search_terms in the migration); a word rare among the candidates counts more than a common one.
 */
export async function searchTools<T extends SearchCandidate>(candidates: readonly T[], query: unknown, options: { limit?: unknown } = {}): Promise<ToolSearchResult<T>> {
  const input = parseInput(searchInput, { query, limit: options.limit });
  const byKey = new Map(candidates.map((candidate) => [key(candidate.versionId, candidate.toolName), candidate]));
  const config = embeddingsConfig();
  if (byKey.size === 0) return { tools: [], ranking: "text", notice: null };
  const depth = config ? fusionDepth : input.limit;
  const textHits = await textRanking([...byKey.values()], input.query, depth);
  const pick = (hits: TextHit[]) => hits.slice(0, input.limit).map((hit) => byKey.get(key(hit.versionId, hit.name))!);
  if (!config) return { tools: pick(textHits), ranking: "text", notice: null };
  try {
    const semanticHits = await semanticRanking(config, [...byKey.values()], input.query);
    return { tools: pick(fuse([textHits, semanticHits])), ranking: "hybrid", notice: null };
  } catch (error) {
    if (!(error instanceof EmbeddingsError)) throw error;
    return { tools: pick(textHits), ranking: "text", notice: `Semantic ranking is unavailable, so these results come from text search alone: ${error.message}` };
  }
}

async function textRanking(candidates: readonly SearchCandidate[], query: string, limit: number): Promise<TextHit[]> {
  const versionIds = candidates.map((candidate) => candidate.versionId);
  const names = candidates.map((candidate) => candidate.toolName);
  // BM25's idea on PostgreSQL's ranking: each term counts by ts_rank_cd times its inverse document
  // frequency among the candidates, so "find pizza restaurants" is about pizza and restaurants, not "find".
  return db().$queryRaw<TextHit[]>`
    WITH candidate AS (
      SELECT t.version_id, t.name, t.search_vector FROM version_tools t
      JOIN unnest(${versionIds}::uuid[], ${names}::text[]) AS c(version_id, name) ON c.version_id = t.version_id AND c.name = t.name
    ), term AS (
      SELECT query, ln((SELECT count(*) FROM candidate) / (1.0 + (SELECT count(*) FROM candidate WHERE search_vector @@ query))) + 1 AS idf
      FROM tool_search_terms(${query}) query
    )
    SELECT c.version_id::text AS "versionId", c.name
    FROM candidate c JOIN term ON c.search_vector @@ term.query
    GROUP BY c.version_id, c.name
    ORDER BY sum(term.idf * ts_rank_cd(${rankWeights}::float4[], c.search_vector, term.query, ${rankNormalization}::int)) DESC, c.name ASC, c.version_id ASC
    LIMIT ${limit}`;
}

async function semanticRanking(config: EmbeddingsConfig, candidates: readonly SearchCandidate[], query: string): Promise<TextHit[]> {
  const definitions = await db().$queryRaw<(EmbeddableTool & TextHit)[]>`
    SELECT t.version_id::text AS "versionId", t.name, t.title, t.description, t.input_schema AS "inputSchema", t.definition_hash AS "definitionHash"
    FROM version_tools t
    JOIN unnest(${candidates.map((c) => c.versionId)}::uuid[], ${candidates.map((c) => c.toolName)}::text[]) AS c(version_id, name)
      ON c.version_id = t.version_id AND c.name = t.name`;
  const [vectors, [queryVector]] = await Promise.all([toolEmbeddings(config, definitions), embedTexts(config, [query])]);
  return definitions
    .map((tool) => ({ tool, similarity: cosineSimilarity(queryVector!, vectors.get(tool.definitionHash)!) }))
    .sort((a, b) => b.similarity - a.similarity || compareHits(a.tool, b.tool))
    .slice(0, fusionDepth)
    .map(({ tool }) => ({ versionId: tool.versionId, name: tool.name }));
}

function compareHits(a: TextHit, b: TextHit): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : a.versionId < b.versionId ? -1 : a.versionId > b.versionId ? 1 : 0;
}

/** Reciprocal rank fusion: each ranking adds 1 / (k + rank) to a tool's score; ties by name. */
function fuse(rankings: TextHit[][]): TextHit[] {
  const scores = new Map<string, { hit: TextHit; score: number }>();
  for (const ranking of rankings) {
    ranking.forEach((hit, index) => {
      const entry = scores.get(key(hit.versionId, hit.name)) ?? { hit, score: 0 };
      entry.score += 1 / (fusionK + index + 1);
      scores.set(key(hit.versionId, hit.name), entry);
    });
  }
  return [...scores.values()].sort((a, b) => b.score - a.score || compareHits(a.hit, b.hit)).map((entry) => entry.hit);
}

