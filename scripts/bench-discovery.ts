// `npm run bench:discovery`: how well tool search (lib/discovery/search.ts) finds the tool a user means,
// and what discovery saves a host in tokens. Loads bench/discovery/corpus.json (real MCP servers' tools)
// into a throw-away embedded PostgreSQL, runs every query of queries.json with all the corpus's tools as
// candidates, and prints recall@1 and recall@5 with text search alone, and also hybrid (text and
// embeddings) when TOOLGATE_EMBEDDINGS_URL is set; then the misses, and the tokens (o200k, gpt-tokenizer)
// of tools/list with every schema against the discovery path per query: the meta-tools' definitions,
// one search answer of 5 and one describe_tool answer.
import { readFile } from "node:fs/promises";
import { countTokens } from "gpt-tokenizer";
import { z } from "zod";
import { prepareDatabase } from "./bench/database";

const tool = z.object({ name: z.string(), title: z.string().optional(), description: z.string().optional(), inputSchema: z.record(z.string(), z.unknown()), annotations: z.record(z.string(), z.unknown()).optional() });
const corpusFile = z.object({ servers: z.array(z.object({ server: z.string(), source: z.string(), tools: z.array(tool).min(1) })) });
const queriesFile = z.object({ queries: z.array(z.object({ query: z.string(), expected: z.array(z.string()).min(1) })) });
type Tool = z.infer<typeof tool>;

interface Outcome {
  query: string;
  expected: string[];
  found: string[];
}

function report(label: string, outcomes: Outcome[]) {
  const rank = (o: Outcome) => o.found.findIndex((id) => o.expected.includes(id));
  const at = (k: number) => outcomes.filter((o) => rank(o) >= 0 && rank(o) < k).length;
  const percent = (n: number) => `${((100 * n) / outcomes.length).toFixed(1)}%`;
  console.log(`\n${label}: recall@1 ${percent(at(1))} (${at(1)}/${outcomes.length}), recall@5 ${percent(at(5))} (${at(5)}/${outcomes.length})`);
  for (const o of outcomes.filter((o) => rank(o) !== 0)) {
    console.log(`  ${rank(o) < 0 ? "miss " : `@${rank(o) + 1}   `} "${o.query}" → want ${o.expected.join(" or ")}; got ${o.found.slice(0, 3).join(", ") || "nothing"}`);
  }
}

async function main() {
  const corpus = corpusFile.parse(JSON.parse(await readFile("bench/discovery/corpus.json", "utf8")));
  const { queries } = queriesFile.parse(JSON.parse(await readFile("bench/discovery/queries.json", "utf8")));
  const database = await prepareDatabase("toolgate_bench_discovery");
  process.env.DATABASE_URL = database.url;
  const embeddingsUrl = process.env.TOOLGATE_EMBEDDINGS_URL;
  try {
    const { makeServer, makeTeam } = await import("../test/factories");
    const { searchTools } = await import("@/lib/discovery/search");
    const { discoveryTools, searchEntry } = await import("@/lib/discovery/meta-tools");
    const team = await makeTeam();
    const candidates: { versionId: string; toolName: string; id: string; definition: Tool }[] = [];
    for (const { server, tools } of corpus.servers) {
      const { versionIds } = await makeServer({ teamId: team.id, name: `io.bench/${server}`, versions: [{ version: "1.0.0", tools }] });
      candidates.push(...tools.map((definition) => ({ versionId: versionIds[0]!, toolName: definition.name, id: `${server}/${definition.name}`, definition })));
    }
    console.log(`bench:discovery — ${candidates.length} tools of ${corpus.servers.length} servers, ${queries.length} queries`);

    const run = async () => {
      const outcomes: (Outcome & { page: typeof candidates })[] = [];
      for (const { query, expected } of queries) {
        const { tools, notice } = await searchTools(candidates, query, { limit: 5 });
        if (notice) throw new Error(notice);
        outcomes.push({ query, expected, found: tools.map((t) => t.id), page: tools });
      }
      return outcomes;
    };
    delete process.env.TOOLGATE_EMBEDDINGS_URL;
    const text = await run();
    report("text (PostgreSQL full-text search)", text);
    if (embeddingsUrl) {
      process.env.TOOLGATE_EMBEDDINGS_URL = embeddingsUrl;
      report(`hybrid (text + ${process.env.TOOLGATE_EMBEDDINGS_MODEL ?? "text-embedding-3-small"} at ${embeddingsUrl}, reciprocal rank fusion)`, await run());
    }

    const tokens = (value: unknown) => countTokens(JSON.stringify(value));
    const exposeAll = tokens({ tools: candidates.map((c) => c.definition) });
    const metaTools = tokens({ tools: discoveryTools });
    const perQuery = text.map((o) => metaTools + tokens({ tools: o.page.map((c) => searchEntry(c.definition)) }) + (o.page[0] ? tokens(o.page[0].definition) : 0));
    const average = perQuery.reduce((sum, n) => sum + n, 0) / perQuery.length;
    console.log(`\ntokens a host spends per query (o200k_base):`);
    console.log(`  expose-all: tools/list with all ${candidates.length} schemas  ${exposeAll.toLocaleString("en")}`);
    console.log(`  discovery: meta-tools ${metaTools} + search answer of 5 + one describe  ${Math.round(average).toLocaleString("en")} on average (max ${Math.max(...perQuery).toLocaleString("en")})`);
    console.log(`  saved: ${(100 * (1 - average / exposeAll)).toFixed(1)}% (${(exposeAll / average).toFixed(0)}× fewer)`);
  } finally {
    const { db } = await import("@/lib/db/prisma");
    await db().$disconnect();
    await database.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
