// The gateway shows every agent one virtual MCP server, so tools of different backends need names
// that cannot collide. The scheme (docs/decisions/008-gateway-resolution.md):
//
//   exposed name = escape(server name) + "__" + tool name
//   escape: "_" → "_u", then "/" → "_s"
//
//   com.example/crm + get_contact → com.example_scrm__get_contact
//
// After escaping, every "_" of the server part is followed by "u" or "s", so the server part never
// contains "__" and never ends in "_": the first "__" of an exposed name is always the separator, and
// the tool name after it is kept as it is (it may itself contain "__"). Decoding is therefore exact
// and two different (server, tool) pairs never share a name.
//
// MCP tool names are limited to [A-Za-z0-9_.-] and 128 characters. A pair whose exposed name would
// break either rule is not exposed at all (namespacedToolName returns null and logs a warning)
// rather than shortened or hashed: a shortened name could collide, and a hash would hide from a
// person reading the tool list which tool it is.

export const maxToolNameLength = 128;
const namespaceSeparator = "__";

const allowed = /^[A-Za-z0-9_.-]+$/;
const serverNamePattern = /^[A-Za-z0-9_./-]+$/;

export interface NamespacedTool {
  server: string;
  tool: string;
}

function escapeServerName(server: string): string {
  return server.replaceAll("_", "_u").replaceAll("/", "_s");
}

function unescapeServerName(escaped: string): string | null {
  let server = "";
  for (let i = 0; i < escaped.length; i++) {
    const char = escaped[i];
    if (char !== "_") {
      server += char;
      continue;
    }
    const code = escaped[++i];
    if (code === "u") server += "_";
    else if (code === "s") server += "/";
    else return null;
  }
  return server;
}

/** Why a pair cannot be exposed, or null when it can. */
function unexposable(server: string, tool: string, name: string): string | null {
  if (!server || !serverNamePattern.test(server)) return "the server name has characters outside [A-Za-z0-9_./-]";
  if (!tool || !allowed.test(tool)) return "the tool name has characters outside [A-Za-z0-9_.-]";
  if (name.length > maxToolNameLength) return `the namespaced name would be ${name.length} characters, more than MCP's ${maxToolNameLength}`;
  return null;
}

/**
 * The name an agent sees for `tool` of `server`, or null when the pair cannot be exposed under
 * MCP's naming rules (logged, so an operator can see why a certified tool is missing).
 */
export function namespacedToolName(server: string, tool: string): string | null {
  const name = `${escapeServerName(server)}${namespaceSeparator}${tool}`;
  const problem = unexposable(server, tool, name);
  if (problem === null) return name;
  // Once per pair: views are resolved again after every change, the reason stays the same.
  if (!warned.has(name)) {
    if (warned.size >= 1000) warned.clear();
    warned.add(name);
    console.warn(`[toolgate] gateway: not exposing tool ${JSON.stringify(tool)} of server ${JSON.stringify(server)}: ${problem}.`);
  }
  return null;
}

const warned = new Set<string>();

/** The server and tool an exposed name stands for; null for any name the scheme does not produce. */
export function parseNamespacedToolName(name: string): NamespacedTool | null {
  if (name.length > maxToolNameLength || !allowed.test(name)) return null;
  const at = name.indexOf(namespaceSeparator);
  if (at <= 0) return null;
  const server = unescapeServerName(name.slice(0, at));
  const tool = name.slice(at + namespaceSeparator.length);
  if (server === null || !tool || unexposable(server, tool, name) !== null) return null;
  return { server, tool };
}
