-- Tool search (issue #19, progressive discovery): a weighted full-text document per tool definition,
-- and embeddings stored per definition hash and model, so a definition is embedded once, whatever
-- versions share it. lib/discovery/search.ts ranks with both.

-- Words of an identifier: snake_case, kebab-case, dotted and camelCase names split into words
-- ("listPullRequests" → "list Pull Requests"), so "pull request" finds list_pull_requests and listPullRequests.
CREATE FUNCTION "tool_search_words"(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT translate(regexp_replace(coalesce($1, ''), '([a-z0-9])([A-Z])', '\1 \2', 'g'), '_-./:', '     ')
$$;

-- The document: name and title weigh most (A), then the description (B), then the names of the input's
-- top-level parameters (C), then their descriptions (D). English stemming and stop words throughout.
CREATE FUNCTION "tool_search_document"(name text, title text, description text, input_schema jsonb) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT
    setweight(to_tsvector('english'::regconfig, name || ' ' || tool_search_words(name) || ' ' || coalesce(title, '')), 'A') ||
    setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'B') ||
    setweight(to_tsvector('english'::regconfig, coalesce((
      SELECT string_agg(tool_search_words(p.key), ' ') FROM jsonb_each(
        CASE WHEN jsonb_typeof(input_schema -> 'properties') = 'object' THEN input_schema -> 'properties' ELSE '{}'::jsonb END) p), '')), 'C') ||
    setweight(to_tsvector('english'::regconfig, coalesce((
      SELECT string_agg(p.value ->> 'description', ' ') FROM jsonb_each(
        CASE WHEN jsonb_typeof(input_schema -> 'properties') = 'object' THEN input_schema -> 'properties' ELSE '{}'::jsonb END) p
      WHERE jsonb_typeof(p.value) = 'object'), '')), 'D')
$$;

-- The terms of a search box's text, each a tsquery of one lexeme: every word (stop words dropped,
-- stemmed, identifiers split as above), the last word as a prefix ("open a pull req" finds "request").
-- lib/discovery/search.ts ORs them, each weighted by how rare it is among the candidates.
CREATE FUNCTION "tool_search_terms"(query text) RETURNS SETOF tsquery
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ('''' || replace(replace(u.lexeme, '\', '\\'), '''', '''''') || '''' ||
          CASE WHEN u.lexeme = ANY (tsvector_to_array(to_tsvector('english'::regconfig,
            tool_search_words(substring(query from '([[:alnum:]]+)[^[:alnum:]]*$'))))) THEN ':*' ELSE '' END)::tsquery
    FROM unnest(to_tsvector('english'::regconfig, tool_search_words(query))) u
$$;

-- Generated, so it can never disagree with the definition (tool rows are immutable once a version leaves draft).
ALTER TABLE "version_tools" ADD COLUMN "search_vector" tsvector
  GENERATED ALWAYS AS (tool_search_document("name", "title", "description", "input_schema")) STORED;
CREATE INDEX "version_tools_search_vector_idx" ON "version_tools" USING GIN ("search_vector");

CREATE TABLE "tool_embeddings" (
  "definition_hash" TEXT NOT NULL,
  "model" TEXT NOT NULL,
  "dimensions" INTEGER NOT NULL,
  "vector" REAL[] NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "tool_embeddings_pkey" PRIMARY KEY ("definition_hash", "model"),
  CONSTRAINT "tool_embeddings_hash_format" CHECK ("definition_hash" ~ '^[0-9a-f]{64}$'),
  CONSTRAINT "tool_embeddings_dimensions" CHECK ("dimensions" BETWEEN 1 AND 8192 AND cardinality("vector") = "dimensions")
);
