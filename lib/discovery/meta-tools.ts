// What an agent in discovery mode sees instead of every schema (issue #19, S3): three meta-tools, and
// search answers that list each tool in a line or two. The gateway serves them (a later step); the
// retrieval benchmark (scripts/bench-discovery.ts) counts their tokens against expose-all.
import { maxSearchLimit } from "./search";

/** The meta-tools' definitions, as tools/list returns them. */
export const discoveryTools = [
  {
    name: "search_tools",
    title: "Search tools",
    description:
      "Find the tools you may use for a task. Say what you want to do in plain words; the answer lists the best tools first, each with its name and a summary. Then describe_tool gives a tool's input schema and call_tool runs it.",
    inputSchema: {
      type: "object",
      properties: {
        query: { type: "string", minLength: 1, maxLength: 500, description: 'What you want to do, e.g. "open a pull request for my branch".' },
        limit: { type: "integer", minimum: 1, maximum: maxSearchLimit, default: 5, description: "How many tools to list." },
      },
      required: ["query"],
    },
    annotations: { readOnlyHint: true },
  },
  {
    name: "describe_tool",
    title: "Describe a tool",
    description: "The full definition of one tool found with search_tools: its description and input schema.",
    inputSchema: { type: "object", properties: { name: { type: "string", description: "The tool's name as search_tools listed it." } }, required: ["name"] },
    annotations: { readOnlyHint: true },
  },
  {
    name: "call_tool",
    title: "Call a tool",
    description: "Run one tool found with search_tools, with arguments that match its input schema (describe_tool).",
    inputSchema: {
      type: "object",
      properties: {
        name: { type: "string", description: "The tool's name as search_tools listed it." },
        arguments: { type: "object", description: "The tool's arguments." },
      },
      required: ["name"],
    },
  },
] as const;

/** A summary is the description's first paragraph, cut at a word to this many characters. */
const summaryChars = 240;

/** A tool as a search answer lists it: name, title, and the start of its description. */
export function searchEntry(tool: { name: string; title?: string | null; description?: string | null }): { name: string; title?: string; summary: string } {
  const paragraph = (tool.description ?? "").trim().split(/\n\s*\n/)[0]!.replace(/\s+/g, " ");
  const summary = paragraph.length <= summaryChars ? paragraph : `${paragraph.slice(0, summaryChars).replace(/\s+\S*$/, "")}…`;
  return { name: tool.name, ...(tool.title ? { title: tool.title } : {}), summary };
}
