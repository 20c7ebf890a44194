// The gateway's side of talking to backend MCP servers: one reused client session per agent and pinned
// version (so a stateful backend never mixes two agents' state; bounded, least recently used evicted,
// idle ones closed), a circuit breaker per backend, a retry only where it is safe, and results passed
// back exactly as the backend sent them (each call is plain HTTP on the session: ./backend-exchange.ts).
// The client's token never comes here: a backend gets the server-side credential headers kept in the
// catalog, or for a `minted` server a short-lived token Toolgate signs per request (lib/signing/upstream-token.ts).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ErrorCode, McpError, PromptListChangedNotificationSchema, ResourceListChangedNotificationSchema, ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import CircuitBreaker from "opossum";
import { type DeclaredPrompt, type DeclaredResource, type DeclaredResourceTemplate, type DeclaredTool, PromptsPage, ResourcesPage, ResourceTemplatesPage, ToolsPage } from "@/lib/mcp/introspect";
import { assertOutboundUrl, guardedFetch, guardedRequest, type GuardedRequest, liveOutboundPolicy, type OutboundFetch, type OutboundPolicy } from "@/lib/net/outbound";
import { env, type RawEnv } from "@/lib/config/env";
import { existingSingleton, singleton } from "@/lib/runtime/singleton";
import {
  BackendCallError,
  BackendUnavailableError,
  describeFailure,
  DriftCheckError,
  errorMessage,
  isBackendFault,
  isTransportFailure,
  rpcErrorOf,
  DefinitionDriftError,
  ToolDriftError,
} from "./backend-errors";
import { argumentsHash } from "./audit-queue";
import type { CallRelay } from "./call-relay";
import { cancellationReason } from "./cancellation";
import { type CallResult, exchangeToolCall } from "./backend-exchange";
import { mintUpstreamToken, sessionScope, type TokenMinter, type UpstreamIdentity } from "@/lib/signing/upstream-token";

export { BackendCallError, BackendUnavailableError, DefinitionDriftError, DriftCheckError, ToolDriftError } from "./backend-errors";

export interface Backend {
  serverId: string;
  serverName: string;
  versionId: string;
  version: string;
  endpointUrl: string;
  /** The server-side credential from the catalog, decrypted; never the client's token. */
  headers?: Record<string, string>;
  /** `minted`: every request carries a token Toolgate signs (lib/signing/upstream-token.ts) instead of `headers`. */
  upstreamAuth?: "static" | "minted";
}

/** A tool as the live backend declares it, annotations and schemas kept whole. */
export type LiveTool = DeclaredTool;

/** The resources, resource templates and prompts the live backend declares (each empty without its capability). */
export interface LiveDefinitions {
  resources: DeclaredResource[];
  resourceTemplates: DeclaredResourceTemplate[];
  prompts: DeclaredPrompt[];
}

/** A result schema as the SDK client's request takes it. */
export type ResultSchema<T> = Parameters<Client["request"]>[1] & { _output: T };

export interface ForwardOptions {
  agent?: UpstreamIdentity;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** The item's key among the drifted (as the watcher reports it) and how a refusal names it. */
  drift: { key: string; label: string };
}

export interface CallOptions {
  /** Declared read-only: a call that broke down in transport is retried once, on a new session. */
  readOnly: boolean;
  /**
   * Not read-only, or needs approval: when the backend's tools were last listed longer ago than the
   * pool's `recheckAfterMs`, they are listed again (and checked for drift) before the call goes out.
   */
  freshDefinition?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Whose session the call takes; without one, the gateway's own (shared) session. */
  agent?: UpstreamIdentity;
  /** For a minted token's `toolgate_args_sha256`: the audit's hash of the arguments, when already made. */
  argumentsHash?: string;
  /** The client's side of the backend's progress and log messages about the call (./call-relay.ts). */
  relay?: CallRelay;
  /** The call's, for auditing the backend's own requests during it (./backend-requests.ts). */
  correlationId?: string;
}

export type BreakerState = "closed" | "open" | "half-open";

export interface BackendState {
  versionId: string;
  serverName: string;
  state: BreakerState;
  /** Agents' sessions open (or opening) with this version. */
  sessions: number;
}

/**
 * Compares a backend's live tools with the certified ones (./drift.ts). It runs before a new session
 * serves its first call and again on tools/list_changed; the tools it names are refused until the next check.
 */
export type ToolsWatcher = (backend: Backend, liveTools: LiveTool[], live?: LiveDefinitions) => Promise<{ drifted: string[] }>;

export interface BackendPoolOptions {
  policy?: OutboundPolicy;
  /** Per call, unless the caller sets its own (capped at maxTimeoutMs); also for connecting and listing. */
  timeoutMs?: number;
  maxTimeoutMs?: number;
  maxResponseBytes?: number;
  breaker?: { errorThresholdPercentage?: number; volumeThreshold?: number; resetTimeoutMs?: number; rollingWindowMs?: number };
  watcher?: ToolsWatcher;
  /** The age of the last tools listing past which a `freshDefinition` call re-lists first; 30 s by default. */
  recheckAfterMs?: number;
  /**
   * Sessions are per (agent, version). At most `max` open in all and `perBackend` per version (the least
   * recently used is closed to make room); one unused for `idleMs` is closed.
   */
  sessions?: { max?: number; perBackend?: number; idleMs?: number };
  /** Signs the tokens of `minted` backends; lib/signing/upstream-token.ts's by default. */
  mint?: TokenMinter;
}

const maxToolPages = 50;
const dayMs = 24 * 60 * 60 * 1000;
const closeGraceMs = 2_000;

interface Session {
  client: Client;
  transport: StreamableHTTPClientTransport;
  url: URL;
  /** What every call on the session sends: the catalog's credential, the session id, the negotiated version. */
  callHeaders: Record<string, string>;
  inFlight: number;
  /** No new calls; closed once the calls under way have settled. */
  retired: boolean;
  closed: boolean;
}

/** One agent's session with one backend version (the gateway's own when `agent` is undefined). */
interface Slot {
  /** The version id and identityKey: the key in the pool's sessions, which are kept least recently used first. */
  key: string;
  entry: Entry;
  agent?: UpstreamIdentity;
  session?: Promise<Session>;
  current?: Session;
  lastUsed: number;
  /** Out of the pool: a call still holding the slot (a retry) gets a session that closes after it. */
  evicted?: boolean;
}

interface Entry {
  backend: Backend;
  /** Endpoint and credential: when the catalog changes either, the sessions are replaced. */
  fingerprint: string;
  breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  openedAt: number;
  /** This version's sessions, by identityKey ("" for the gateway's own). */
  slots: Map<string, Slot>;
  drifted: ReadonlySet<string>;
  lastCheck?: { drifted: string[] };
  /** When the listing behind the last completed check began (ms since the epoch). */
  checkedAt: number;
  /** The re-check a tools/list_changed notification started; calls wait for it. */
  recheck: Promise<void>;
  /** The re-check an aged `freshDefinition` call started; calls arriving meanwhile share it. */
  refreshing?: Promise<void>;
}

export class BackendPool {
  private readonly entries = new Map<string, Entry>();
  private readonly policy: OutboundPolicy;
  private readonly timeoutMs: number;
  private readonly maxTimeoutMs: number;
  private readonly breakerOptions: CircuitBreaker.Options<[() => Promise<unknown>]>;
  private requestFetch!: OutboundFetch;
  private streamFetch!: OutboundFetch;
  private callPost!: GuardedRequest;
  /** The allowed list the connections were checked against (see followPolicy). */
  private allowInForce!: readonly string[];
  private readonly maxResponseBytes: number;
  private nextCallId = 1;
  private watcher?: ToolsWatcher;
  private readonly recheckAfterMs: number;
  /** Every session slot, least recently used first. */
  private readonly slots = new Map<string, Slot>();
  private readonly maxSessions: number;
  private readonly maxSessionsPerBackend: number;
  private readonly idleMs: number;
  private reaper?: NodeJS.Timeout;
  private readonly mint: TokenMinter;

  constructor(options: BackendPoolOptions = {}) {
    const { policy = liveOutboundPolicy(), timeoutMs = 10_000, maxTimeoutMs = 60_000, maxResponseBytes = 10 * 1024 * 1024, breaker = {} } = options;
    this.policy = policy;
    this.timeoutMs = timeoutMs;
    this.maxTimeoutMs = maxTimeoutMs;
    this.watcher = options.watcher;
    this.recheckAfterMs = options.recheckAfterMs ?? 30_000;
    this.breakerOptions = {
      // Calls carry their own timeout (the SDK's, which also tells the backend to cancel); a timeout is a failure here too.
      timeout: false,
      errorThresholdPercentage: breaker.errorThresholdPercentage ?? 50,
      volumeThreshold: breaker.volumeThreshold ?? 5,
      resetTimeout: breaker.resetTimeoutMs ?? 5_000,
      rollingCountTimeout: breaker.rollingWindowMs ?? 10_000,
      errorFilter: (error: unknown) => !isBackendFault(error),
    };
    this.maxResponseBytes = maxResponseBytes;
    this.maxSessions = options.sessions?.max ?? 512;
    this.maxSessionsPerBackend = options.sessions?.perBackend ?? 128;
    this.idleMs = options.sessions?.idleMs ?? 5 * 60 * 1000;
    this.mint = options.mint ?? mintUpstreamToken;
    this.connectUnderPolicy();
  }

  // Addresses are checked when a connection is made: the HTTP clients, and the connections they keep,
  // are made anew under each allowed list.
  private connectUnderPolicy(): void {
    this.allowInForce = this.policy.allow;
    this.callPost = guardedRequest(this.policy);
    // The SDK's per-call timeout fires first and names the real limit; this one only ends abandoned exchanges.
    this.requestFetch = guardedFetch(this.policy, { maxResponseBytes: this.maxResponseBytes, timeoutMs: this.maxTimeoutMs + 1_000 });
    // The notification stream (GET) stays open as long as the session; a per-request limit would cut it.
    this.streamFetch = guardedFetch(this.policy, { maxResponseBytes: 64 * 1024 * 1024, timeoutMs: dayMs });
  }

  /**
   * When the outbound rule changed (an administrator narrowed it), sessions and connections made under
   * the old one are dropped, so the new rule holds from the next call even for a backend reached by name.
   */
  private followPolicy(): void {
    if (this.policy.allow === this.allowInForce) return;
    this.connectUnderPolicy();
    for (const entry of this.entries.values()) this.dropSessions(entry);
  }

  watchTools(watcher: ToolsWatcher | undefined): void {
    this.watcher = watcher;
  }

  /** Forwards tools/call; the result comes back as the backend sent it (./backend-exchange.ts). */
  async callTool(backend: Backend, toolName: string, args: Record<string, unknown>, options: CallOptions): Promise<CallResult> {
    this.followPolicy();
    const entry = this.entryFor(backend);
    const slot = this.slotFor(entry, options.agent);
    const timeoutMs = Math.min(options.timeoutMs ?? this.timeoutMs, this.maxTimeoutMs);
    const attempt = () =>
      this.guarded(slot, async (session) => {
        if (options.freshDefinition && Date.now() - entry.checkedAt >= this.recheckAfterMs) await this.refresh(entry, session);
        await entry.recheck;
        if (entry.drifted.has(toolName)) throw new ToolDriftError(toolName, backend.serverName);
        const headers = backend.upstreamAuth === "minted" ? await this.mintedCallHeaders(session, backend.endpointUrl, options.agent, toolName, args, options.argumentsHash) : session.callHeaders;
        const call = { url: session.url, headers, id: this.nextCallId++, name: toolName, args, timeoutMs, maxResponseBytes: this.maxResponseBytes, signal: options.signal, relay: options.relay, backend, caller: options.agent, correlationId: options.correlationId };
        return exchangeToolCall(this.callPost, call).catch((error: unknown) => {
          const cancelled = options.signal?.aborted;
          if (cancelled || (error instanceof McpError && error.code === ErrorCode.RequestTimeout)) cancelOnBackend(session, call.id, cancelled ? options.signal!.reason : error);
          // The signal's reason may be any value (the SDK aborts with the client's words): a cancellation is never the backend's fault.
          throw cancelled ? cancellationReason(options.signal!.reason) : error;
        });
      });
    try {
      return await withRetry(attempt, () => options.readOnly && !options.signal?.aborted);
    } catch (error) {
      throw this.explain(error, entry, timeoutMs);
    }
  }

  /**
   * Forwards a resources/read or prompts/get on the agent's session (decision 032); its result parsed with
   * `schema`. Read-only by nature, so a transport failure is retried once. `drift` names the item as the
   * session's last check keys it: a drifted one is refused without reaching the backend.
   */
  async forward<T>(backend: Backend, request: { method: string; params: Record<string, unknown> }, schema: ResultSchema<T>, options: ForwardOptions): Promise<T> {
    this.followPolicy();
    const entry = this.entryFor(backend);
    const slot = this.slotFor(entry, options.agent);
    const timeoutMs = Math.min(options.timeoutMs ?? this.timeoutMs, this.maxTimeoutMs);
    const attempt = () =>
      this.guarded(slot, async (session) => {
        await entry.recheck;
        if (entry.drifted.has(options.drift.key)) throw new DefinitionDriftError(options.drift.label, backend.serverName);
        return session.client.request(request, schema, { timeout: timeoutMs, signal: options.signal }) as Promise<T>;
      });
    try {
      return await withRetry(attempt, () => !options.signal?.aborted);
    } catch (error) {
      if (error instanceof DefinitionDriftError) throw error;
      throw this.explain(error, entry, timeoutMs);
    }
  }

  /** Lists the backend's live tools now and runs the watcher over them (for the drift schedule). */
  async recheckTools(backend: Backend): Promise<{ drifted: string[] }> {
    this.followPolicy();
    const entry = this.entryFor(backend);
    // Any agent's open session will do for listing; else the gateway opens its own.
    const slot = [...entry.slots.values()].find((candidate) => candidate.current) ?? this.slotFor(entry, undefined);
    // A session opened by this very call was checked as it opened.
    const opening = slot.session === undefined;
    const attempt = () => this.guarded(slot, (session) => (opening && entry.lastCheck ? Promise.resolve(entry.lastCheck) : this.checkTools(entry, session)));
    try {
      return await withRetry(attempt, () => true);
    } catch (error) {
      throw this.explain(error, entry, this.timeoutMs);
    }
  }

  /** The backends with a pooled session or breaker. */
  backends(): Backend[] {
    return [...this.entries.values()].map((entry) => entry.backend);
  }

  /** Breaker states, for metrics. */
  states(): BackendState[] {
    return [...this.entries.values()].map(({ backend, breaker, slots }) => ({
      versionId: backend.versionId,
      serverName: backend.serverName,
      state: breaker.opened ? "open" : breaker.halfOpen ? "half-open" : "closed",
      sessions: countSessions(slots),
    }));
  }

  /** Ends every session (telling each backend) and forgets every breaker; the pool stays usable. */
  async close(): Promise<void> {
    const entries = [...this.entries.values()];
    const slots = [...this.slots.values()];
    this.entries.clear();
    this.slots.clear();
    clearInterval(this.reaper);
    this.reaper = undefined;
    for (const entry of entries) entry.breaker.shutdown();
    await Promise.all(
      slots.map(async (slot) => {
        const session = await slot.session?.catch(() => undefined);
        if (session) await closeSession(session);
      }),
    );
  }

  /** Session slots held (one per agent and version, with its session open, opening or to be reopened), for tests. */
  sessionCount(): number {
    return this.slots.size;
  }

  /** The agent's slot for this version, made most recently used; making one may close the least recently used. */
  private slotFor(entry: Entry, agent: UpstreamIdentity | undefined): Slot {
    const agentKey = identityKey(agent);
    const now = Date.now();
    const existing = entry.slots.get(agentKey);
    if (existing) {
      existing.agent = agent;
      // Moved to the end of the order at most once a second: a Map delete and set on every call is not free.
      if (now - existing.lastUsed >= 1000) {
        this.slots.delete(existing.key);
        this.slots.set(existing.key, existing);
      }
      existing.lastUsed = now;
      return existing;
    }
    if (entry.slots.size >= this.maxSessionsPerBackend) {
      for (const slot of this.slots.values()) {
        if (slot.entry === entry) {
          this.evict(slot);
          break;
        }
      }
    }
    if (this.slots.size >= this.maxSessions) this.evict(this.slots.values().next().value!);
    const slot: Slot = { key: `${entry.backend.versionId}\n${agentKey}`, entry, agent, lastUsed: now };
    entry.slots.set(agentKey, slot);
    this.slots.set(slot.key, slot);
    this.reapIdleSessions();
    return slot;
  }

  /** Forgets the slot; its session closes once its calls have settled. */
  private evict(slot: Slot): void {
    slot.evicted = true;
    this.slots.delete(slot.key);
    const agentKey = identityKey(slot.agent);
    if (slot.entry.slots.get(agentKey) === slot) slot.entry.slots.delete(agentKey);
    this.dropSession(slot);
  }

  /** Closes, now and then, the sessions no call used for `idleMs`; the timer does not keep the process alive. */
  private reapIdleSessions(): void {
    if (this.reaper) return;
    this.reaper = setInterval(
      () => {
        const now = Date.now();
        for (const slot of [...this.slots.values()]) {
          if (now - slot.lastUsed >= this.idleMs && !(slot.current && slot.current.inFlight > 0)) this.evict(slot);
        }
        if (this.slots.size === 0) {
          clearInterval(this.reaper);
          this.reaper = undefined;
        }
      },
      Math.min(60_000, Math.max(1_000, this.idleMs / 5)),
    );
    this.reaper.unref();
  }

  /** A minted backend's call headers: the session's, with a token for this agent, tool and arguments. */
  private async mintedCallHeaders(
    session: Session,
    audience: string,
    agent: UpstreamIdentity | undefined,
    toolName: string,
    args: Record<string, unknown>,
    hash: string | undefined,
  ): Promise<Record<string, string>> {
    const token = await this.mint({ audience, agent, scope: toolName, argumentsHash: hash ?? argumentsHash(args) });
    return { ...session.callHeaders, authorization: `Bearer ${token}` };
  }

  private entryFor(backend: Backend): Entry {
    const fingerprint = `${backend.endpointUrl}\n${backend.upstreamAuth ?? "static"}\n${JSON.stringify(backend.headers ?? {})}`;
    const existing = this.entries.get(backend.versionId);
    if (existing) {
      existing.backend = backend;
      if (existing.fingerprint !== fingerprint) {
        existing.fingerprint = fingerprint;
        this.dropSessions(existing);
      }
      return existing;
    }
    const entry: Entry = {
      backend,
      fingerprint,
      breaker: new CircuitBreaker((run: () => Promise<unknown>) => run(), this.breakerOptions),
      openedAt: 0,
      slots: new Map(),
      drifted: new Set(),
      checkedAt: -Infinity,
      recheck: Promise.resolve(),
    };
    entry.breaker.on("open", () => {
      entry.openedAt = Date.now();
    });
    this.entries.set(backend.versionId, entry);
    return entry;
  }

  /** One attempt through the backend's breaker, on the slot's session (opened first when there is none). */
  private guarded<T>(slot: Slot, work: (session: Session) => Promise<T>): Promise<T> {
    return slot.entry.breaker.fire(async () => {
      const session = await this.sessionFor(slot);
      session.inFlight++;
      try {
        return await work(session);
      } catch (error) {
        if (isTransportFailure(error)) this.retire(slot, session);
        throw error;
      } finally {
        session.inFlight--;
        if (session.retired && session.inFlight === 0) void closeSession(session);
      }
    }) as Promise<T>;
  }

  /** Concurrent first calls share one connect. */
  private sessionFor(slot: Slot): Promise<Session> {
    if (slot.session) return slot.session;
    const opening = this.openSession(slot);
    slot.session = opening;
    opening.then(
      (session) => {
        if (slot.session === opening && !slot.evicted) slot.current = session;
        else this.retire(slot, session);
      },
      () => {
        if (slot.session === opening) slot.session = undefined;
      },
    );
    return opening;
  }

  private async openSession(slot: Slot): Promise<Session> {
    const { entry } = slot;
    const url = await assertOutboundUrl(entry.backend.endpointUrl, this.policy);
    const minted = entry.backend.upstreamAuth === "minted";
    const transport: StreamableHTTPClientTransport = new StreamableHTTPClientTransport(url, {
      fetch: this.sessionFetch(() => transport, minted ? { audience: entry.backend.endpointUrl, agent: slot.agent } : undefined),
      requestInit: { headers: minted ? undefined : entry.backend.headers },
    });
    // Elicitation and sampling are declared so a backend may ask during a call; the gateway relays each request
    // to the client that made the call, or refuses it (./backend-requests.ts). Asked outside a call, the SDK refuses.
    const client = new Client({ name: "toolgate-gateway", version: "1.0.0" }, { capabilities: { elicitation: {}, sampling: {} } });
    const session: Session = { client, transport, url, callHeaders: {}, inFlight: 0, retired: false, closed: false };
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => this.recheckOnNotice(entry, session));
    // Resources and prompts are pinned too (decision 032): their lists changing is checked the same way.
    client.setNotificationHandler(ResourceListChangedNotificationSchema, () => this.recheckOnNotice(entry, session));
    client.setNotificationHandler(PromptListChangedNotificationSchema, () => this.recheckOnNotice(entry, session));
    // A backend that forgot the session (restarted) refuses the notification stream with 404 before any call fails.
    client.onerror = (error) => {
      if (error instanceof StreamableHTTPError && error.code === 404) this.retire(slot, session);
    };
    try {
      await client.connect(transport, { timeout: this.timeoutMs });
      session.callHeaders = sessionHeaders(minted ? undefined : entry.backend.headers, transport);
      if (this.watcher) await this.checkTools(entry, session);
      return session;
    } catch (error) {
      await closeSession(session);
      throw error;
    }
  }

  private async checkTools(entry: Entry, session: Session): Promise<{ drifted: string[] }> {
    if (!this.watcher) return { drifted: [] };
    const listedAt = Date.now();
    const liveTools = await listTools(session.client, this.timeoutMs);
    const live = await listDefinitions(session.client, this.timeoutMs);
    let result: { drifted: string[] };
    try {
      result = await this.watcher(entry.backend, liveTools, live);
    } catch (error) {
      // The details are for the operator, not for the agent whose call this refuses.
      console.error(`[toolgate] checking backend ${entry.backend.serverName} for drift failed:`, error);
      throw new DriftCheckError(entry.backend.serverName);
    }
    entry.drifted = new Set(result.drifted);
    entry.lastCheck = result;
    entry.checkedAt = listedAt;
    return result;
  }

  /** Lists the tools again before a call; a failure refuses the call (the definition could not be confirmed). */
  private refresh(entry: Entry, session: Session): Promise<void> {
    entry.refreshing ??= this.checkTools(entry, session)
      .then(() => undefined)
      .finally(() => {
        entry.refreshing = undefined;
      });
    return entry.refreshing;
  }

  private recheckOnNotice(entry: Entry, session: Session): void {
    entry.recheck = entry.recheck
      .then(() => (session.retired ? undefined : this.checkTools(entry, session)))
      .then(
        () => {},
        (error: unknown) => {
          if (error instanceof DriftCheckError) return; // already logged
          console.error(`[toolgate] re-checking the tools of backend ${entry.backend.serverName} after tools/list_changed failed:`, errorMessage(error));
        },
      );
  }

  /** New calls get a new session; this one closes when its calls have settled. */
  private retire(slot: Slot, session: Session): void {
    if (slot.current === session) {
      slot.session = undefined;
      slot.current = undefined;
    }
    session.retired = true;
    if (session.inFlight === 0) void closeSession(session);
  }

  /** A session still opening is retired as it opens (see sessionFor). */
  private dropSession(slot: Slot): void {
    const current = slot.current;
    slot.session = undefined;
    if (current) this.retire(slot, current);
  }

  private dropSessions(entry: Entry): void {
    for (const slot of entry.slots.values()) this.dropSession(slot);
  }

  /** The session's own requests (initialize, listing, the stream, its end); a minted backend gets a fresh token on each. */
  private sessionFetch(transport: () => StreamableHTTPClientTransport, minted?: { audience: string; agent?: UpstreamIdentity }): OutboundFetch {
    return async (url, request) => {
      let init = request;
      if (minted) {
        const headers = new Headers(init?.headers);
        headers.set("authorization", `Bearer ${await this.mint({ ...minted, scope: sessionScope })}`);
        init = { ...init, headers };
      }
      if (init?.method === "GET") return this.streamFetch(url, init);
      const response = await this.requestFetch(url, init);
      if (!response.body || !response.headers.get("content-type")?.startsWith("text/event-stream")) return response;
      return endRequestsOnBrokenStream(response, init?.body, transport());
    };
  }

  private explain(error: unknown, entry: Entry, timeoutMs: number): Error {
    const { serverName } = entry.backend;
    if ((error as { code?: unknown } | null)?.code === "EOPENBREAKER") {
      const remainingMs = entry.openedAt + Number(this.breakerOptions.resetTimeout) - Date.now();
      return new BackendUnavailableError(serverName, Math.max(1, Math.ceil(remainingMs / 1000)));
    }
    if ((error as { code?: unknown } | null)?.code === "ESHUTDOWN") return new BackendCallError(`backend ${serverName}: the gateway closed its backend sessions (shutdown)`);
    if (error instanceof ToolDriftError || error instanceof BackendCallError || error instanceof DriftCheckError) return error;
    return new BackendCallError(describeFailure(error, serverName, timeoutMs), error instanceof McpError ? rpcErrorOf(error) : undefined);
  }
}

function countSessions(slots: Map<string, Slot>): number {
  let open = 0;
  for (const slot of slots.values()) if (slot.session) open++;
  return open;
}

/**
 * Whose session: the agent, and the person it acts for when its identity names one (a stateful backend
 * must not mix two people's state either); "" for the gateway's own.
 */
function identityKey(agent: UpstreamIdentity | undefined): string {
  if (!agent) return "";
  return agent.onBehalfOf ? `${agent.agentId}\n${agent.onBehalfOf.subject}` : agent.agentId;
}

function sessionHeaders(credential: Record<string, string> | undefined, transport: StreamableHTTPClientTransport): Record<string, string> {
  return {
    ...credential,
    ...(transport.sessionId ? { "mcp-session-id": transport.sessionId } : {}),
    ...(transport.protocolVersion ? { "mcp-protocol-version": transport.protocolVersion } : {}),
  };
}

/** Tells the backend a call it is still working on is abandoned (timed out, or its client went away), as the SDK client did. */
function cancelOnBackend(session: Session, requestId: number, error: unknown): void {
  const reason = errorMessage(error);
  session.client.notification({ method: "notifications/cancelled", params: { requestId, reason } }).catch(() => {});
}

/** A second attempt, on a new session, for failures in transport and only where `mayRetry` says it is safe. */
async function withRetry<T>(attempt: () => Promise<T>, mayRetry: () => boolean): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    if (!isTransportFailure(error) || !mayRetry()) throw error;
    return attempt();
  }
}

async function listTools(client: Client, timeout: number): Promise<LiveTool[]> {
  if (!client.getServerCapabilities()?.tools) return [];
  const tools: LiveTool[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxToolPages; page++) {
    const result = await client.request({ method: "tools/list", params: cursor === undefined ? {} : { cursor } }, ToolsPage, { timeout });
    tools.push(...result.tools);
    cursor = result.nextCursor;
    if (cursor === undefined) return tools;
  }
  throw new BackendCallError(`the backend lists its tools in more than ${maxToolPages} pages; Toolgate stops reading there`);
}

/** Every page of one list, up to the same bound as tools. */
async function readPages<T>(what: string, readPage: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor?: string }>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxToolPages; page++) {
    const result = await readPage(cursor);
    items.push(...result.items);
    cursor = result.nextCursor;
    if (cursor === undefined) return items;
  }
  throw new BackendCallError(`the backend lists its ${what} in more than ${maxToolPages} pages; Toolgate stops reading there`);
}

/** A server with resources but no templates may not implement resources/templates/list: it declares none. */
function noneIfUnsupported(error: unknown): never[] {
  if (error instanceof McpError && error.code === ErrorCode.MethodNotFound) return [];
  throw error;
}

async function listDefinitions(client: Client, timeout: number): Promise<LiveDefinitions> {
  const capabilities = client.getServerCapabilities();
  const params = (cursor: string | undefined) => (cursor === undefined ? {} : { cursor });
  const [resources, resourceTemplates, prompts] = await Promise.all([
    capabilities?.resources
      ? readPages("resources", async (cursor) => {
          const page = await client.request({ method: "resources/list", params: params(cursor) }, ResourcesPage, { timeout });
          return { items: page.resources, nextCursor: page.nextCursor };
        })
      : [],
    capabilities?.resources
      ? readPages("resource templates", async (cursor) => {
          const page = await client.request({ method: "resources/templates/list", params: params(cursor) }, ResourceTemplatesPage, { timeout });
          return { items: page.resourceTemplates, nextCursor: page.nextCursor };
        }).catch(noneIfUnsupported)
      : [],
    capabilities?.prompts
      ? readPages("prompts", async (cursor) => {
          const page = await client.request({ method: "prompts/list", params: params(cursor) }, PromptsPage, { timeout });
          return { items: page.prompts, nextCursor: page.nextCursor };
        })
      : [],
  ]);
  return { resources, resourceTemplates, prompts };
}

/**
 * When an event-stream answer breaks off (size limit, dropped connection), the SDK only reports it to
 * onerror and the request would wait for its timeout; answering the request with an error ends it now.
 */
function endRequestsOnBrokenStream(response: Response, requestBody: unknown, transport: StreamableHTTPClientTransport): Response {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  response.body!.pipeTo(writable).catch((error: unknown) => {
    for (const id of requestIds(requestBody)) {
      const message = `the answer broke off: ${errorMessage(error)}`;
      transport.onmessage?.({ jsonrpc: "2.0", id, error: { code: ErrorCode.ConnectionClosed, message } });
    }
  });
  return new Response(readable, { status: response.status, statusText: response.statusText, headers: response.headers });
}

function requestIds(body: unknown): (string | number)[] {
  let parsed: unknown;
  try {
    parsed = typeof body === "string" ? JSON.parse(body) : undefined;
  } catch {
    return [];
  }
  const messages = (Array.isArray(parsed) ? parsed : [parsed]) as unknown[];
  return messages.flatMap((message) => {
    const { id, method } = (message ?? {}) as { id?: unknown; method?: unknown };
    return method !== undefined && (typeof id === "string" || typeof id === "number") ? [id] : [];
  });
}

async function closeSession(session: Session): Promise<void> {
  if (session.closed) return;
  session.closed = true;
  // Tell a stateful backend the session is over, but never let a silent one hold up shutdown.
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, closeGraceMs);
  });
  await Promise.race([session.transport.terminateSession().catch(() => {}), grace]);
  clearTimeout(timer);
  await session.client.close().catch(() => {});
}

// One pool per process (a singleton): Next.js may load this module more than once (route handlers,
// instrumentation), and every copy must share the sessions and breakers. The watcher may be set first.
const watching = singleton("backendToolsWatcher", () => ({ watcher: undefined as ToolsWatcher | undefined }));

/** TOOLGATE_DRIFT_RECHECK_SECONDS in milliseconds (start-up validates it too); a bad value throws naming it. */
export function driftRecheckMsFrom(raw?: RawEnv): number {
  return env("TOOLGATE_DRIFT_RECHECK_SECONDS", raw) * 1000;
}

export function backendPool(): BackendPool {
  return singleton("backendPool", () => new BackendPool({ watcher: watching.watcher, recheckAfterMs: driftRecheckMsFrom() }));
}

/** Sets the check every new session and every tools/list_changed runs (lib/runtime/gateway-wiring.ts sets ./drift.ts's). */
export function watchBackendTools(watcher: ToolsWatcher): void {
  watching.watcher = watcher;
  existingSingleton<BackendPool>("backendPool")?.watchTools(watcher);
}

export function callTool(backend: Backend, toolName: string, args: Record<string, unknown>, options: CallOptions): Promise<CallResult> {
  return backendPool().callTool(backend, toolName, args, options);
}

export function forwardToBackend<T>(backend: Backend, request: { method: string; params: Record<string, unknown> }, schema: ResultSchema<T>, options: ForwardOptions): Promise<T> {
  return backendPool().forward(backend, request, schema, options);
}

export function backendStates(): BackendState[] {
  return existingSingleton<BackendPool>("backendPool")?.states() ?? [];
}

/** For shutdown: ends every backend session. */
export async function closeAllBackends(): Promise<void> {
  await existingSingleton<BackendPool>("backendPool")?.close();
}
