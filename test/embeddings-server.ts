// An OpenAI-compatible embeddings API for tests of tool search: POST /v1/embeddings embeds each input
// as a hashed bag of words (each lower-cased word, a trailing "s" dropped, adds 1 to one of 256
// dimensions), so texts sharing words are similar and every answer is the same for the same text.
// `answer` makes it fail the ways a real API can; `requests` records what it was asked.
import { createHash } from "node:crypto";
import http from "node:http";
import { closeServer, listenOnLoopback } from "./loopback";

const dimensions = 256;

export type EmbeddingsAnswer = "embeddings" | "http-error" | "not-embeddings" | "too-few";

export function bagOfWords(text: string): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    const stem = word.length > 3 ? word.replace(/s$/, "") : word;
    vector[createHash("sha256").update(stem).digest().readUInt32BE(0) % dimensions]! += 1;
  }
  return vector;
}

export async function startEmbeddingsServer() {
  const requests: { model: string; input: string[]; authorization?: string }[] = [];
  const state = { answer: "embeddings" as EmbeddingsAnswer };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/v1/embeddings") return void res.writeHead(404).end();
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { model: string; input: string | string[] };
      const input = typeof body.input === "string" ? [body.input] : body.input;
      requests.push({ model: body.model, input, authorization: req.headers.authorization });
      if (state.answer === "http-error") return void res.writeHead(500, { "content-type": "text/plain" }).end("model overloaded");
      const data = (state.answer === "too-few" ? input.slice(1) : input).map((text, index) => ({ object: "embedding", index, embedding: bagOfWords(text) }));
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(state.answer === "not-embeddings" ? { object: "list", results: data } : { object: "list", model: body.model, data }));
    });
  });
  const origin = await listenOnLoopback(server);
  return { baseUrl: `${origin}/v1`, requests, state, close: () => closeServer(server) };
}
