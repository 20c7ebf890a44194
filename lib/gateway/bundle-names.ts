import { namespacedToolName } from "./namespacing";

// Names on a bundle's endpoint (docs/decisions/033-endpoints-per-entry-and-bundle.md): a tool is named as
// its server declares it, unless another tool of the bundle has the same name; then both carry the server
// prefix /mcp uses (lib/gateway/namespacing.ts). A plain name that happens to equal a prefixed one is
// prefixed too, so every name on the endpoint stands for one tool. The names follow from the bundle's
// definition alone, never from which of its tools an agent may call, so they do not move when one is killed.

export interface BundleToolRef {
  server: string;
  tool: string;
}

export interface NamedBundleTool extends BundleToolRef {
  /** The name at /mcp; null when the pair cannot be exposed under MCP's naming rules. */
  canonical: string | null;
  /** The name on the bundle's endpoint; null with canonical. */
  exposedName: string | null;
}

export function bundleToolNames(tools: readonly BundleToolRef[]): NamedBundleTool[] {
  const canonical = tools.map((ref) => namespacedToolName(ref.server, ref.tool));
  const prefixedNames = new Set(canonical.filter((name): name is string => name !== null));
  const uses = new Map<string, number>();
  for (const ref of tools) uses.set(ref.tool, (uses.get(ref.tool) ?? 0) + 1);
  return tools.map((ref, i) => {
    const name = canonical[i] ?? null;
    const plain = uses.get(ref.tool) === 1 && !prefixedNames.has(ref.tool);
    return { ...ref, canonical: name, exposedName: name === null ? null : plain ? ref.tool : name };
  });
}
