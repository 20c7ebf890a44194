import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bagOfWords, startEmbeddingsServer } from "@/test/embeddings-server";
import { cosineSimilarity, embeddingBatchSize, embeddingText, EmbeddingsError, embedTexts, maxEmbeddedChars } from "./embeddings";

describe("embeddings API client", () => {
  let api: Awaited<ReturnType<typeof startEmbeddingsServer>>;
  beforeAll(async () => {
    api = await startEmbeddingsServer();
  });
  afterAll(() => api.close());

  it("sends at most embeddingBatchSize texts per request and returns the vectors in order", async () => {
    const texts = Array.from({ length: 2 * embeddingBatchSize + 2 }, (_, n) => `text number ${n}`);
    const vectors = await embedTexts({ baseUrl: `${api.baseUrl}/`, model: "m" }, texts);
    expect(api.requests.map((request) => request.input.length)).toEqual([embeddingBatchSize, embeddingBatchSize, 2]);
    expect(vectors).toHaveLength(texts.length);
    expect(vectors[70]).toEqual(bagOfWords("text number 70"));
    expect(api.requests[0]!.authorization).toBeUndefined();
  });

  it("refuses an answer with the wrong number of embeddings", async () => {
    api.state.answer = "too-few";
    await expect(embedTexts({ baseUrl: api.baseUrl, model: "m" }, ["a", "b"])).rejects.toThrow(new EmbeddingsError("The embeddings API answered 1 embeddings for 2 texts."));
    api.state.answer = "embeddings";
  });
});

describe("embeddingText", () => {
  it("is the name in words, the title, the description and each parameter, cut to maxEmbeddedChars", () => {
    const tool = {
      definitionHash: "0".repeat(64),
      name: "listPullRequests",
      title: "List PRs",
      description: "List pull requests.",
      inputSchema: { type: "object", properties: { repo_name: { type: "string", description: "owner/name" }, state: { type: "string" } } },
    };
    expect(embeddingText(tool)).toBe("list Pull Requests (List PRs)\nList pull requests.\nParameters: repo name: owner/name; state");
    expect(embeddingText({ ...tool, title: null, description: "x".repeat(10_000), inputSchema: { type: "object" } })).toHaveLength(maxEmbeddedChars);
  });
});

describe("cosineSimilarity", () => {
  it("is 1 for the same direction, 0 for orthogonal, zero or differently sized vectors", () => {
    expect(cosineSimilarity([1, 2], [2, 4])).toBeCloseTo(1);
    expect(cosineSimilarity([1, 0], [0, 3])).toBe(0);
    expect(cosineSimilarity([0, 0], [1, 1])).toBe(0);
    expect(cosineSimilarity([1, 0, 0], [1, 0])).toBe(0);
  });
});
