import { z } from "zod";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import { guardedFetch, liveOutboundPolicy, type OutboundFetch } from "@/lib/net/outbound";
import { singleton } from "@/lib/runtime/singleton";

// Embeddings of tool definitions for tool search (./search.ts), from an OpenAI-compatible API
// (TOOLGATE_EMBEDDINGS_URL). A definition is embedded once per model and kept by its definition hash,
// so versions that share a definition share its embedding and a changed definition gets a new one.
// The API is reached like any outbound URL (lib/net/outbound.ts): the outbound rule, a deadline, a size cap.

export interface EmbeddingsConfig {
  /** The API's base URL; requests go to {base}/embeddings. */
  baseUrl: string;
  model: string;
  apiKey?: string;
}

/** The API could not give embeddings: unreachable, too slow, or an answer that is not one. */
export class EmbeddingsError extends DomainError {
  override readonly status = 502;
}

/** A tool definition as the embedding sees it. */
export interface EmbeddableTool {
  definitionHash: string;
  name: string;
  title: string | null;
  description: string | null;
  inputSchema: unknown;
}

/** At most this many texts per request (OpenAI accepts 2,048; local servers often far fewer). */
export const embeddingBatchSize = 64;
/** A tool's text is cut to this many characters: ample for a definition, well under any model's input limit. */
export const maxEmbeddedChars = 8_000;
const maxDimensions = 8_192;
const embeddingsLimits = { timeoutMs: 15_000, maxResponseBytes: 32 * 1024 * 1024 };

/** The configured API, or null when TOOLGATE_EMBEDDINGS_URL is unset. */
export function embeddingsConfig(): EmbeddingsConfig | null {
  const baseUrl = env("TOOLGATE_EMBEDDINGS_URL");
  if (!baseUrl) return null;
  return { baseUrl, model: env("TOOLGATE_EMBEDDINGS_MODEL"), apiKey: env("TOOLGATE_EMBEDDINGS_API_KEY") };
}

function embeddingsFetch(): OutboundFetch {
  return singleton("embeddingsFetch", () => guardedFetch(liveOutboundPolicy(), embeddingsLimits));
}

const embeddingsAnswer = z.object({
  data: z.array(z.object({ index: z.number().int().min(0), embedding: z.array(z.number().refine(Number.isFinite)).min(1).max(maxDimensions) })),
});

/** The embeddings of `texts`, in order, in batches of embeddingBatchSize; every vector has the same length. */
export async function embedTexts(config: EmbeddingsConfig, texts: readonly string[]): Promise<number[][]> {
  const vectors: number[][] = [];
  for (let start = 0; start < texts.length; start += embeddingBatchSize) {
    vectors.push(...(await embedBatch(config, texts.slice(start, start + embeddingBatchSize))));
  }
  if (vectors.some((vector) => vector.length !== vectors[0]!.length)) throw new EmbeddingsError("The embeddings API answered vectors of different lengths.");
  return vectors;
}

async function embedBatch(config: EmbeddingsConfig, input: string[]): Promise<number[][]> {
  const url = `${config.baseUrl.replace(/\/+$/, "")}/embeddings`;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (config.apiKey) headers.authorization = `Bearer ${config.apiKey}`;
  let response: Response;
  let body: unknown;
  try {
    response = await embeddingsFetch()(url, { method: "POST", headers, body: JSON.stringify({ model: config.model, input }) });
    body = response.ok ? await response.json() : await response.text();
  } catch (error) {
    throw new EmbeddingsError(`The embeddings API (${url}) failed: ${(error as Error).message}`);
  }
  if (!response.ok) throw new EmbeddingsError(`The embeddings API answered HTTP ${response.status}: ${String(body).slice(0, 200)}`);
  const parsed = embeddingsAnswer.safeParse(body);
  if (!parsed.success) throw new EmbeddingsError("The embeddings API's answer is not an embeddings list ({ data: [{ index, embedding }] }).");
  const byIndex = new Map(parsed.data.data.map((item) => [item.index, item.embedding]));
  if (byIndex.size !== input.length || input.some((_, index) => !byIndex.has(index))) {
    throw new EmbeddingsError(`The embeddings API answered ${parsed.data.data.length} embeddings for ${input.length} texts.`);
  }
  return input.map((_, index) => byIndex.get(index)!);
}

/** What is embedded for a tool: its name in words, title, description, and each parameter with its description. */
export function embeddingText(tool: EmbeddableTool): string {
  const words = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/[_\-./:]+/g, " ");
  const properties = (tool.inputSchema as { properties?: unknown } | null)?.properties;
  const parameters =
    properties && typeof properties === "object"
      ? Object.entries(properties).map(([name, schema]) => {
          const description = (schema as { description?: unknown } | null)?.description;
          return typeof description === "string" ? `${words(name)}: ${description}` : words(name);
        })
      : [];
  const text = [`${words(tool.name)}${tool.title ? ` (${tool.title})` : ""}`, tool.description ?? "", parameters.length ? `Parameters: ${parameters.join("; ")}` : ""]
    .filter(Boolean)
    .join("\n");
  return text.slice(0, maxEmbeddedChars);
}

/**
 * The embedding of each tool's definition under the configured model, by definition hash: stored ones
 * are read, missing ones are computed in batches and stored (a definition is embedded once).
 */
export async function toolEmbeddings(config: EmbeddingsConfig, tools: readonly EmbeddableTool[]): Promise<Map<string, number[]>> {
  const hashes = [...new Set(tools.map((tool) => tool.definitionHash))];
  const stored = await db().toolEmbedding.findMany({ where: { model: config.model, definitionHash: { in: hashes } }, select: { definitionHash: true, vector: true } });
  const vectors = new Map(stored.map((row) => [row.definitionHash, row.vector]));
  const missing = [...new Map(tools.filter((tool) => !vectors.has(tool.definitionHash)).map((tool) => [tool.definitionHash, tool])).values()];
  if (missing.length === 0) return vectors;
  const computed = await embedTexts(config, missing.map(embeddingText));
  await db().toolEmbedding.createMany({
    data: missing.map((tool, index) => ({ definitionHash: tool.definitionHash, model: config.model, dimensions: computed[index]!.length, vector: computed[index]! })),
    skipDuplicates: true,
  });
  missing.forEach((tool, index) => vectors.set(tool.definitionHash, computed[index]!));
  return vectors;
}

/** Cosine similarity; 0 when either vector is all zeros or their lengths differ (another model's). */
export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return 0;
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    normA += a[i]! * a[i]!;
    normB += b[i]! * b[i]!;
  }
  return normA && normB ? dot / Math.sqrt(normA * normB) : 0;
}
