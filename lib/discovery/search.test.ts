import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { ValidationError } from "@/lib/errors";
import { startEmbeddingsServer } from "@/test/embeddings-server";
import { makeServer, type ToolSpec } from "@/test/factories";
import { searchTools } from "./search";

const object = (properties: Record<string, unknown>) => ({ type: "object", properties });
const githubTools: ToolSpec[] = [
  { name: "create_pull_request", description: "Create a new pull request in a GitHub repository", inputSchema: object({ head: { type: "string", description: "The branch with your changes" }, base: { type: "string" } }) },
  { name: "list_pull_requests", description: "List and filter repository pull requests", inputSchema: object({ state: { type: "string" } }) },
  { name: "create_issue", description: "Create a new issue in a GitHub repository", inputSchema: object({ title: { type: "string" }, body: { type: "string" } }) },
  { name: "merge_pull_request", description: "Merge a pull request", inputSchema: object({ pull_number: { type: "number" } }) },
];
const otherTools: ToolSpec[] = [
  { name: "getCurrentTime", description: "Get current time in a specific timezone", inputSchema: object({ timezone: { type: "string", description: "IANA timezone name, e.g. Asia/Tokyo" } }) },
  { name: "delete_everything", description: "Create a new pull request and then delete the whole repository" },
];

let candidates: { versionId: string; toolName: string }[];
let hidden: { versionId: string; toolName: string };

beforeAll(async () => {
  const github = await makeServer({ versions: [{ version: "1.0.0", tools: githubTools }] });
  const other = await makeServer({ versions: [{ version: "1.0.0", tools: otherTools }] });
  candidates = [
    ...githubTools.map((tool) => ({ versionId: github.versionIds[0]!, toolName: tool.name })),
    { versionId: other.versionIds[0]!, toolName: "getCurrentTime" },
  ];
  hidden = { versionId: other.versionIds[0]!, toolName: "delete_everything" };
});

const names = async (query: unknown, limit?: unknown, from = candidates) => (await searchTools(from, query, { limit })).tools.map((tool) => tool.toolName);

describe("searchTools with full-text search", () => {
  it("ranks the tool whose name and description fit first, and returns the candidates given", async () => {
    const result = await searchTools(candidates, "open a pull request for my branch", { limit: 3 });
    expect(result).toMatchObject({ ranking: "text", notice: null });
    expect(result.tools[0]).toBe(candidates[0]);
    expect(result.tools.map((tool) => tool.toolName).slice(1).sort()).toEqual(["list_pull_requests", "merge_pull_request"]);
  });

  it("never returns a tool that is not a candidate, however well it matches", async () => {
    expect(await names("create a new pull request and delete the repository", 50)).not.toContain("delete_everything");
    expect(await names("delete the whole repository", 50, [hidden])).toEqual(["delete_everything"]);
    expect(await names("delete the whole repository", 50, [])).toEqual([]);
  });

  it("splits camelCase and snake_case names, OR-s the words and matches the last word as a prefix", async () => {
    expect(await names("current time in Tokyo")).toEqual(["getCurrentTime"]);
    expect((await names("pull_request")).sort()).toEqual(["create_pull_request", "list_pull_requests", "merge_pull_request"]);
    expect(await names("open an iss")).toEqual(["create_issue"]);
    expect(await names("what's the TIMEZONE?")).toEqual(["getCurrentTime"]);
  });

  it("breaks ties by name, and finds nothing for stop words alone", async () => {
    expect(await names("repository", 2)).toEqual(["create_issue", "create_pull_request"]);
    expect(await names("what is it and")).toEqual([]);
    expect(await names("'\\\" & | ! :*")).toEqual([]);
  });

  it("refuses bad input with a message: empty, too long, control characters, wrong types, limits out of range", async () => {
    for (const [query, limit, message] of [
      ["", undefined, "The query must not be empty."],
      ["   ", undefined, "The query must not be empty."],
      ["x".repeat(501), undefined, "The query must be at most 500 characters."],
      ["pull\u0000request", undefined, "The query must not contain control or bidirectional-override characters."],
      ["pull\nrequest", undefined, "The query must not contain control or bidirectional-override characters."],
      [42, undefined, "The query must be text."],
      [undefined, undefined, "The query must be text."],
      ["pull", 0, "The limit must be at least 1."],
      ["pull", 51, "The limit must be at most 50."],
      ["pull", 2.5, "The limit must be a whole number."],
      ["pull", "5", "The limit must be a whole number."],
    ] as const) {
      const refusal = searchTools(candidates, query, { limit });
      await expect(refusal).rejects.toThrow(ValidationError);
      await expect(refusal).rejects.toThrow(message);
    }
    expect(await names("x".repeat(500))).toEqual([]);
  });
});

describe("searchTools with an embeddings API", () => {
  let api: Awaited<ReturnType<typeof startEmbeddingsServer>>;
  beforeAll(async () => {
    api = await startEmbeddingsServer();
  });
  afterEach(() => {
    delete process.env.TOOLGATE_EMBEDDINGS_URL;
    delete process.env.TOOLGATE_EMBEDDINGS_API_KEY;
    api.state.answer = "embeddings";
  });
  afterAll(() => api.close());

  it("fuses text and embedding rankings, embedding each definition once per model", async () => {
    process.env.TOOLGATE_EMBEDDINGS_URL = api.baseUrl;
    process.env.TOOLGATE_EMBEDDINGS_API_KEY = "sk-test";
    const result = await searchTools(candidates, "open a pull request for my branch", { limit: 2 });
    expect(result).toMatchObject({ ranking: "hybrid", notice: null });
    expect(result.tools.map((tool) => tool.toolName)).toEqual(["create_pull_request", "merge_pull_request"]);
    expect(api.requests[0]).toMatchObject({ model: "text-embedding-3-small", authorization: "Bearer sk-test" });
    const stored = await db().toolEmbedding.findMany({ where: { model: "text-embedding-3-small" } });
    expect(stored).toHaveLength(5);
    expect(stored.every((row) => row.dimensions === 256 && row.vector.length === 256)).toBe(true);

    const before = api.requests.length;
    await searchTools(candidates, "merge it");
    expect(api.requests.slice(before).map((request) => request.input)).toEqual([["merge it"]]);
  });

  it("embeds under another model again, and never embeds or returns a tool that is not a candidate", async () => {
    process.env.TOOLGATE_EMBEDDINGS_URL = api.baseUrl;
    process.env.TOOLGATE_EMBEDDINGS_MODEL = "other-model";
    try {
      expect(await names("delete the whole repository", 50)).not.toContain("delete_everything");
      const embedded = api.requests.filter((request) => request.model === "other-model").flatMap((request) => request.input);
      expect(embedded).toHaveLength(6);
      expect(embedded.some((text) => text.includes("delete everything"))).toBe(false);
      expect(await db().toolEmbedding.count({ where: { model: "other-model" } })).toBe(5);
    } finally {
      delete process.env.TOOLGATE_EMBEDDINGS_MODEL;
    }
  });

  it("falls back to text search and says why when the API fails or answers something else", async () => {
    for (const [answer, reason] of [
      ["http-error", "answered HTTP 500: model overloaded"],
      ["not-embeddings", "is not an embeddings list"],
      ["too-few", "answered 0 embeddings for 1 texts"],
    ] as const) {
      process.env.TOOLGATE_EMBEDDINGS_URL = api.baseUrl;
      api.state.answer = answer;
      const result = await searchTools(candidates, "merge a pull request", { limit: 1 });
      expect(result.ranking).toBe("text");
      expect(result.notice).toContain("Semantic ranking is unavailable, so these results come from text search alone");
      expect(result.notice).toContain(reason);
      expect(result.tools.map((tool) => tool.toolName)).toEqual(["merge_pull_request"]);
    }
    process.env.TOOLGATE_EMBEDDINGS_URL = "http://127.0.0.1:9/v1";
    expect((await searchTools(candidates, "merge", { limit: 1 })).notice).toContain("The embeddings API (http://127.0.0.1:9/v1/embeddings) failed");
  });
});
