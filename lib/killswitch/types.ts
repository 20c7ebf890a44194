// What pages and components know of a kill switch; no data access here, so client components may import it.

export const killScopes = ["global", "server", "version", "tool"] as const;
export type KillScopeName = (typeof killScopes)[number];

export interface KillSwitchView {
  id: string;
  scope: KillScopeName;
  serverId: string | null;
  serverName: string | null;
  versionId: string | null;
  version: string | null;
  toolName: string | null;
  reason: string;
  engagedAt: Date;
  engagedBy: string | null;
}

// Broadest first: a global stop explains more than a tool stop.
const breadth: Record<KillScopeName, number> = { global: 0, server: 1, version: 2, tool: 3 };

export function byBreadth<T extends { scope: KillScopeName }>(switches: readonly T[]): T[] {
  return [...switches].sort((a, b) => breadth[a.scope] - breadth[b.scope]);
}

/** What the switch stops, in words: "every tool call", "server com.example/crm", … */
export function killSwitchTarget(view: Pick<KillSwitchView, "scope" | "serverName" | "version" | "toolName">): string {
  const server = view.serverName ?? "an unknown server";
  switch (view.scope) {
    case "global":
      return "every tool call";
    case "server":
      return `server ${server}`;
    case "version":
      return `version ${view.version ?? "?"} of ${server}`;
    case "tool":
      return `tool ${view.toolName ?? "?"} of ${server}${view.version ? ` ${view.version}` : " (every version)"}`;
  }
}
