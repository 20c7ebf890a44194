import { createHash } from "node:crypto";
import type { AgentIdentity } from "@/lib/agents/keys";
import { singleton } from "@/lib/runtime/singleton";
import { listGatewayPrompts, listGatewayResources, listGatewayResourceTemplates } from "./definitions-server";
import type { GatewayEndpoint } from "./endpoints";
import { isResolutionListening } from "./invalidation";
import { listGatewayTools } from "./virtual-server";

// notifications/{tools,resources,prompts}/list_changed for 2025-era sessions (decision 036). The views
// are dropped on any change that may shape them (a grant, a kill switch, a promotion, drift, a policy:
// ./invalidation.ts); a moment later (debounced, so a burst sends one) each open session's lists are
// listed again as the session's agent sees them at its endpoint, and a session whose lists came out
// different from what it last saw is told which changed, over its notification stream (GET). Sessions of
// the same agent, user and endpoint share one listing. 2026-07-28 clients have no session: their list
// results carry a cache hint instead (listTtlMs, ./modern.ts). Only while the invalidation listener is up:
// without it no change is seen as it happens, and a listing here would only fill the cache with views that
// expire on their own (unlistenedTtlMs) rather than when something changes.

/** A burst of changes (an administrator's batch, a migration) sends one notification per list. */
export const listChangedDebounceMs = 250;

/**
 * How long a 2026-07-28 client may reuse a list result (its `ttlMs`): views change only when someone
 * changes a grant, pin, kill switch or policy, and every call is checked against the current view, so a
 * list a few seconds old can only show a tool whose call is then refused. Short, so a kill switch shows
 * in the client's list within seconds.
 */
export const listTtlMs = 5_000;

export interface ListNotifier {
  sendToolListChanged(): Promise<void>;
  sendResourceListChanged(): Promise<void>;
  sendPromptListChanged(): Promise<void>;
}

type Lists = { tools: string; resources: string; prompts: string };

interface WatchedSession {
  agent: AgentIdentity;
  endpoint: GatewayEndpoint | null;
  notifier: ListNotifier;
  /** What the session's lists were when last looked at; undefined until the first look. */
  seen?: Lists;
}

interface ListChangesState {
  sessions: Map<string, WatchedSession>;
  timer?: NodeJS.Timeout;
  sweeping?: Promise<void>;
  /** A change arrived during a sweep: another follows it. */
  again: boolean;
}

const state = singleton<ListChangesState>("listChanges", () => ({ sessions: new Map(), again: false }));

/** Watches a 2025-era session's lists from now on (its first look is taken now, in the background). */
export function watchSessionLists(sessionId: string, agent: AgentIdentity, endpoint: GatewayEndpoint | null, notifier: ListNotifier): void {
  const session: WatchedSession = { agent, endpoint, notifier };
  state.sessions.set(sessionId, session);
  if (!isResolutionListening()) return;
  void listsOf(session).then((lists) => {
    session.seen ??= lists;
  });
}

export function unwatchSessionLists(sessionId: string): void {
  state.sessions.delete(sessionId);
}

/** The views may have changed (wired to ./invalidation.ts by lib/runtime/gateway-wiring.ts): look again shortly. */
export function noteViewsChanged(): void {
  if (state.sessions.size === 0 || !isResolutionListening()) return;
  if (state.sweeping) {
    state.again = true;
    return;
  }
  state.timer ??= setTimeout(() => {
    state.timer = undefined;
    state.sweeping = sweep().finally(() => {
      state.sweeping = undefined;
      if (state.again) {
        state.again = false;
        noteViewsChanged();
      }
    });
  }, listChangedDebounceMs).unref();
}

/** For tests: resolves once any pending look at the sessions' lists is done. */
export async function settledListChanges(): Promise<void> {
  while (state.timer || state.sweeping) await (state.sweeping ?? new Promise((resolve) => setTimeout(resolve, listChangedDebounceMs)));
}

async function sweep(): Promise<void> {
  const shared = new Map<string, Promise<Lists>>();
  for (const [id, session] of state.sessions) {
    const key = `${session.agent.agentId}\n${session.agent.onBehalfOf?.issuer ?? ""} ${session.agent.onBehalfOf?.subject ?? ""}\n${session.endpoint?.path ?? ""}`;
    let lists = shared.get(key);
    if (!lists) shared.set(key, (lists = listsOf(session)));
    const now = await lists;
    // Closed meanwhile.
    if (state.sessions.get(id) !== session) continue;
    const seen = session.seen;
    session.seen = now;
    if (!seen) continue;
    // A client that went away is closed by its transport; a failed send is not this sweep's concern.
    if (seen.tools !== now.tools) await session.notifier.sendToolListChanged().catch(() => {});
    if (seen.resources !== now.resources) await session.notifier.sendResourceListChanged().catch(() => {});
    if (seen.prompts !== now.prompts) await session.notifier.sendPromptListChanged().catch(() => {});
  }
}

/** A digest of each list as the session's agent would page through it now; a list it cannot read is "unavailable". */
async function listsOf({ agent, endpoint }: WatchedSession): Promise<Lists> {
  const [tools, resources, prompts] = await Promise.all([
    digestOf((cursor) => listGatewayTools(agent, cursor, endpoint)),
    Promise.all([digestOf((cursor) => listGatewayResources(agent, cursor, endpoint)), digestOf((cursor) => listGatewayResourceTemplates(agent, cursor, endpoint))]).then((both) => both.join(" ")),
    digestOf((cursor) => listGatewayPrompts(agent, cursor, endpoint)),
  ]);
  return { tools, resources, prompts };
}

const maxPages = 1_000;

async function digestOf(page: (cursor: string | undefined) => Promise<Record<string, unknown>>): Promise<string> {
  const hash = createHash("sha256");
  try {
    let cursor: string | undefined;
    for (let read = 0; read < maxPages; read++) {
      const result = await page(cursor);
      hash.update(JSON.stringify(result));
      cursor = typeof result.nextCursor === "string" ? result.nextCursor : undefined;
      if (cursor === undefined) break;
    }
    return hash.digest("base64url");
  } catch {
    return "unavailable";
  }
}
