import { storedHeaders } from "@/lib/catalog/credentials";
import { db } from "@/lib/db/prisma";
import type { DataClassification, Environment, KillScope, Prisma, RiskTier, ToolDiscovery, VersionStatus } from "@/lib/generated/prisma/client";
import { byBreadth } from "@/lib/killswitch/types";
import type { PolicyAgent } from "@/lib/policy/entities";
import { policyToolOf } from "@/lib/policy/tool-facts";
import type { CompiledPolicySet } from "@/lib/policy/policy-set";
import type { Backend } from "./backends";
import { isResolutionListening, onResolutionChange, unlistenedTtlMs } from "./invalidation";
import { namespacedToolName, parseNamespacedToolName } from "./namespacing";
import { approvalWording, decideFor, policySetsInForce, type ToolPolicyFacts, toolPolicyFacts } from "./policy-decision";
import { type DefinitionsView, definitionsSelect, definitionsViewOf, driftKey, emptyDefinitionsView, type ServedVersion } from "./resource-view";
import { singleton } from "@/lib/runtime/singleton";

// What one agent may call through the gateway, with the pinned (certified) definitions — never the
// live server's. A tool is in an agent's view when, in the order tools/call checks them: no engaged
// kill switch stops it, an active, unexpired grant covers it, the version pinned in the agent's
// environment declares it and is certified (or deprecated and before its sunset), and no open drift
// incident blocks it. Views are cached per agent and dropped on any change (./invalidation.ts).

type JsonObject = Record<string, unknown>;
/** A tool's input or output JSON Schema; MCP requires an object at the top. */
export type ToolSchema = JsonObject & { type: "object" };

export interface ResolvedTool extends ToolPolicyFacts {
  /** The namespaced name the agent sees (./namespacing.ts). */
  exposedName: string;
  serverId: string;
  serverName: string;
  versionId: string;
  version: string;
  toolName: string;
  title: string | null;
  description: string | null;
  inputSchema: ToolSchema;
  outputSchema: ToolSchema | null;
  annotations: JsonObject | null;
  definitionHash: string;
  /** The active policy set's tools/call decision for the agent (./policy-decision.ts) is approval: each call needs a person. */
  requiresApproval: boolean;
  /** Why, for approvers, from the deciding policies: "The reviewer marked delete_contact as needing approval for each call (risk high)." */
  approvalReason: string | null;
  riskTier: RiskTier | null;
  /** Declared `readOnlyHint: true`: safe to retry. */
  readOnly: boolean;
  /** Declared `idempotentHint: true`: calling it twice with the same arguments does what calling it once does. */
  idempotent: boolean;
  /** How long a successful result may be answered again from ./result-cache.ts: the entry's TTL for a read-only, idempotent tool, else 0 (decision 035). */
  resultCacheTtlMs: number;
  /** The entry's idempotency window (./idempotency.ts); 0 refuses keys. */
  idempotencyWindowSeconds: number;
  /** Which load of the agent's view this tool came from: a result cached under an older view is not answered again (./result-cache.ts). */
  viewGeneration: number;
  /** The reviewer marked this tool as needing approval for each call (the version's approvalTools). */
  reviewerRequiresApproval: boolean;
  /** The environments whose entry asks approval for this tool (the server's approvalTools). */
  approvalEnvironments: Environment[];
  /** The server's data classification. */
  dataClassification: DataClassification;
  /** The pinned version is certified (not deprecated in its dual-run window). */
  certified: boolean;
}

/** A backend as the pool reaches it; its headers are the catalog's server-side credential, never the client's token. */
export type ResolvedBackend = Backend;

export interface AgentView {
  /** Sorted by exposedName (code points), so cursors over it are stable. */
  tools: ResolvedTool[];
  /** The same tools by exposedName, for tools/call. */
  toolsByName: Map<string, ResolvedTool>;
  /** The backends of the servers that have a tool in `tools`, by server id. */
  backends: Map<string, ResolvedBackend>;
  /** The policy set the view was decided with; every request of the view is decided with it too. */
  policySet: CompiledPolicySet;
  /** The set in shadow beside it, if any: each call is decided with it too, and a different decision recorded. */
  shadowPolicySet: CompiledPolicySet | null;
  /** Resources, resource templates and prompts the agent may read and get (./resource-view.ts); their backends are in `backends` too. */
  definitions: DefinitionsView;
  /** The entries the agent holds an active grant for, with a version pinned in its environment: their endpoints serve it (./endpoint-view.ts). */
  grantedServers: ReadonlySet<string>;
  /** What the agent's tools/list shows unless a request asks otherwise (./discovery-tools.ts, decision 034). */
  toolDiscovery: ToolDiscovery;
}

export type RefusalCode = "unknown_agent" | "agent_disabled" | "unknown_tool" | "killed" | "not_granted" | "not_certified" | "not_promoted" | "drift";

export interface Refusal {
  code: RefusalCode;
  /** What a person reads: "tool get_contact of server com.example/crm is not granted to this agent". */
  message: string;
  /**
   * The agent may be told this reason: it concerns the agent itself, or a tool the agent would see
   * but for a kill switch or drift. Every other refusal tells it only "no such tool", so the answer
   * never reveals that a tool it may not see exists (ungranted, draft, uncertified, unpromoted).
   */
  disclosable: boolean;
}

// ---- What is loaded for an agent ----

const pinSelect = {
  server: { select: { id: true, name: true, classification: true, approvalTools: true, endpointUrl: true, credentialHeader: true, credentialCiphertext: true, upstreamAuth: true, resultCacheTtlSeconds: true, idempotencyWindowSeconds: true } },
  version: {
    select: {
      id: true,
      version: true,
      status: true,
      sunsetAt: true,
      approvalTools: true,
      riskTier: true,
      tools: {
        select: { name: true, title: true, description: true, inputSchema: true, outputSchema: true, annotations: true, definitionHash: true },
        orderBy: { position: "asc" },
      },
      ...definitionsSelect,
    },
  },
} satisfies Prisma.PinSelect;

type PinRow = Prisma.PinGetPayload<{ select: typeof pinSelect }>;

interface EngagedSwitch {
  scope: KillScope;
  serverId: string | null;
  versionId: string | null;
  toolName: string | null;
  reason: string;
}

interface AgentRow {
  id: string;
  name: string;
  teamId: string;
  environment: Environment;
  disabled: boolean;
  toolDiscovery: ToolDiscovery;
}

/** Everything the checks need about one agent, for all its granted servers or for one server. */
interface Facts {
  agent: AgentRow;
  now: Date;
  grants: { serverId: string; tools: string[]; expiresAt: Date | null }[];
  switches: EngagedSwitch[];
  pins: Map<string, PinRow>;
  /** Open drift incidents, as `${versionId} ${toolName}` (tools) or driftKey (the other kinds). */
  drifted: Set<string>;
  /** The active policy set, and the one in shadow beside it. */
  policySet: CompiledPolicySet;
  shadowPolicySet: CompiledPolicySet | null;
}

async function loadFacts(agent: AgentRow, onlyServerId?: string): Promise<Facts> {
  const now = new Date();
  const [grants, switches, policySets] = await Promise.all([
    db().grant.findMany({
      where: { agentId: agent.id, status: "active", OR: [{ expiresAt: null }, { expiresAt: { gt: now } }], ...(onlyServerId ? { serverId: onlyServerId } : {}) },
      select: { serverId: true, tools: true, expiresAt: true },
    }),
    db().killSwitch.findMany({ where: { clearedAt: null }, select: { scope: true, serverId: true, versionId: true, toolName: true, reason: true } }),
    policySetsInForce(),
  ]);
  const serverIds = onlyServerId ? [onlyServerId] : [...new Set(grants.map((grant) => grant.serverId))];
  const pins = serverIds.length
    ? await db().pin.findMany({ where: { environment: agent.environment, serverId: { in: serverIds } }, select: pinSelect })
    : [];
  const incidents = pins.length
    ? await db().driftIncident.findMany({ where: { resolvedAt: null, versionId: { in: pins.map((pin) => pin.version.id) } }, select: { versionId: true, kind: true, toolName: true } })
    : [];
  return {
    agent,
    now,
    grants,
    switches: byBreadth(switches),
    pins: new Map(pins.map((pin) => [pin.server.id, pin])),
    drifted: new Set(incidents.map((incident) => (incident.kind === "tool" ? `${incident.versionId} ${incident.toolName}` : driftKey(incident.versionId, incident.kind as "prompt", incident.toolName)))),
    policySet: policySets.active,
    shadowPolicySet: policySets.shadow,
  };
}

// ---- The checks, shared by the view and by refusals so the two never disagree ----

/** Certified, or deprecated and still inside its dual-run window. */
function isServing(version: { status: VersionStatus; sunsetAt: Date | null }, now: Date): boolean {
  return version.status === "certified" || (version.status === "deprecated" && (version.sunsetAt === null || version.sunsetAt > now));
}

/** The broadest engaged switch that stops this tool (see lib/killswitch/switches.ts), if any. */
function stoppingSwitch(switches: EngagedSwitch[], serverId: string, versionId: string | undefined, toolName: string): EngagedSwitch | undefined {
  return switches.find((s) => {
    if (s.scope === "global") return true;
    if (s.serverId !== serverId) return false;
    if (s.scope === "server") return true;
    if (s.scope === "version") return s.versionId === versionId;
    return s.toolName === toolName && (s.versionId === null || s.versionId === versionId);
  });
}

function isGranted(facts: Facts, serverId: string, toolName: string): boolean {
  return facts.grants.some((grant) => grant.serverId === serverId && (grant.tools.length === 0 || grant.tools.includes(toolName)));
}

type Check = { code: "killed"; reason: string } | { code: "not_granted" | "not_pinned" | "drift" } | null;

/** What stops the agent from calling this tool, in the order tools/call checks; null when nothing does. */
function check(facts: Facts, serverId: string, toolName: string): Check {
  const pin = facts.pins.get(serverId);
  const killed = stoppingSwitch(facts.switches, serverId, pin?.version.id, toolName);
  if (killed) return { code: "killed", reason: killed.reason };
  if (!isGranted(facts, serverId, toolName)) return { code: "not_granted" };
  if (!pin || !isServing(pin.version, facts.now) || !pin.version.tools.some((tool) => tool.name === toolName)) return { code: "not_pinned" };
  if (facts.drifted.has(`${pin.version.id} ${toolName}`)) return { code: "drift" };
  return null;
}

/**
 * Whether the agent may read resources and get prompts of this server (decision 032): a server, version or
 * global kill switch stops them (a tool's switch stops only that tool), only a grant of the whole server
 * (no tool list) covers them, and the pinned version must be serving. Drift is checked per item.
 */
function servesDefinitions(facts: Facts, serverId: string): boolean {
  const pin = facts.pins.get(serverId);
  if (!pin || !isServing(pin.version, facts.now)) return false;
  if (facts.switches.some((s) => s.scope === "global" || (s.serverId === serverId && (s.scope === "server" || (s.scope === "version" && s.versionId === pin.version.id))))) return false;
  return facts.grants.some((grant) => grant.serverId === serverId && grant.tools.length === 0);
}

type BackendServer = Pick<PinRow["server"], "id" | "name" | "endpointUrl" | "credentialHeader" | "credentialCiphertext" | "upstreamAuth">;

/** The backend a pinned version is served from, as the pool takes it. */
export function backendOf(server: BackendServer, version: Pick<PinRow["version"], "id" | "version">): ResolvedBackend {
  // A minted server gets a token Toolgate signs per request, never its stored header too.
  const headers = server.upstreamAuth === "minted" ? null : storedHeaders(server);
  return {
    serverId: server.id,
    serverName: server.name,
    versionId: version.id,
    version: version.version,
    endpointUrl: server.endpointUrl,
    upstreamAuth: server.upstreamAuth,
    ...(headers ? { headers } : {}),
  };
}

// ---- The view ----

const asObject = (value: Prisma.JsonValue | null): JsonObject | null =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? (value as JsonObject) : null;

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

// Counts loads of views in this process, so each load's tools say which one they belong to.
let viewGenerations = 0;

/** The view, and until when it stays true without any change (a grant expiring, a sunset passing). */
function viewOf(facts: Facts): { view: AgentView; validUntil: number } {
  const viewGeneration = ++viewGenerations;
  const tools: ResolvedTool[] = [];
  const backends = new Map<string, ResolvedBackend>();
  const deadlines: number[] = [];
  // The view's approval marks are its agent's tools/call decisions at load time; a call decides again with its own identity and time.
  const { agent, policySet } = facts;
  const policyAgent: PolicyAgent = { agentId: agent.id, name: agent.name, teamId: agent.teamId, environment: agent.environment, scopes: [], onBehalfOf: null };
  const grantedServers = new Set<string>();
  for (const pin of facts.pins.values()) {
    const { server, version } = pin;
    if (facts.grants.some((grant) => grant.serverId === server.id)) grantedServers.add(server.name);
    for (const tool of version.tools) {
      if (check(facts, server.id, tool.name) !== null) continue;
      const exposedName = namespacedToolName(server.name, tool.name);
      if (exposedName === null) continue;
      const policy = toolPolicyFacts(policyToolOf(server, version, tool));
      const { readOnly, idempotent, reviewerRequiresApproval, approvalEnvironments, certified } = policy.policy;
      const decision = decideFor(policySet, policyAgent, policy, "tools/call", facts.now);
      const approvalReason = approvalWording(policySet, decision, policy.policy, agent.environment);
      tools.push({
        exposedName,
        serverId: server.id,
        serverName: server.name,
        versionId: version.id,
        version: version.version,
        toolName: tool.name,
        title: tool.title,
        description: tool.description,
        // Stored from what the server declared, which MCP (and the import) hold to `type: "object"`.
        inputSchema: (asObject(tool.inputSchema) ?? { type: "object" }) as ToolSchema,
        outputSchema: asObject(tool.outputSchema) as ToolSchema | null,
        annotations: asObject(tool.annotations),
        definitionHash: tool.definitionHash,
        requiresApproval: approvalReason !== null,
        approvalReason,
        riskTier: version.riskTier,
        readOnly,
        idempotent,
        // Both hints, not readOnly alone: a read-only tool may still answer differently each time (a clock, a random pick).
        resultCacheTtlMs: readOnly && idempotent ? server.resultCacheTtlSeconds * 1000 : 0,
        idempotencyWindowSeconds: server.idempotencyWindowSeconds,
        viewGeneration,
        reviewerRequiresApproval,
        approvalEnvironments: [...approvalEnvironments],
        dataClassification: server.classification,
        certified,
        policy: policy.policy,
        policyEntities: policy.policyEntities,
      });
      if (!backends.has(server.id)) {
        backends.set(server.id, backendOf(server, version));
        if (version.status === "deprecated" && version.sunsetAt) deadlines.push(version.sunsetAt.getTime());
      }
    }
  }
  tools.sort((a, b) => byCodePoint(a.exposedName, b.exposedName));
  const toolsByName = new Map(tools.map((tool) => [tool.exposedName, tool]));
  const served: ServedVersion[] = [];
  for (const { server, version } of facts.pins.values()) {
    if (!servesDefinitions(facts, server.id)) continue;
    served.push({ server, version });
    if (!backends.has(server.id)) {
      backends.set(server.id, backendOf(server, version));
      if (version.status === "deprecated" && version.sunsetAt) deadlines.push(version.sunsetAt.getTime());
    }
  }
  const definitions = definitionsViewOf(served, facts.drifted);
  for (const grant of facts.grants) if (grant.expiresAt) deadlines.push(grant.expiresAt.getTime());
  return { view: { tools, toolsByName, backends, policySet, shadowPolicySet: facts.shadowPolicySet, definitions, grantedServers, toolDiscovery: agent.toolDiscovery }, validUntil: Math.min(Infinity, ...deadlines) };
}

const agentSelect = { id: true, name: true, teamId: true, environment: true, disabled: true, toolDiscovery: true } satisfies Prisma.AgentSelect;

async function loadAgentView(agentId: string): Promise<{ view: AgentView; validUntil: number }> {
  const agent = await db().agent.findUnique({ where: { id: agentId }, select: agentSelect });
  if (!agent || agent.disabled) {
    const { active, shadow } = await policySetsInForce();
    return { view: { tools: [], toolsByName: new Map(), backends: new Map(), policySet: active, shadowPolicySet: shadow, definitions: emptyDefinitionsView(), grantedServers: new Set(), toolDiscovery: "all" }, validUntil: Infinity };
  }
  return viewOf(await loadFacts(agent));
}

// ---- The cache ----

interface CachedView {
  view: Promise<AgentView>;
  expiresAt: number;
}

// A singleton, like the listener, so every copy of this module Next.js loads shares one cache.
const cachedViews = singleton("resolvedViews", () => {
  const views = new Map<string, CachedView>();
  onResolutionChange(() => views.clear());
  return views;
});

/**
 * The tools the agent may call and the backends behind them. Concurrent callers share one load; the
 * result is cached until anything it depends on changes (or, without a listener, for a few seconds).
 */
export function resolveAgentView(agentId: string): Promise<AgentView> {
  const startedAt = Date.now();
  const hit = cachedViews.get(agentId);
  if (hit && hit.expiresAt > startedAt) return hit.view;
  const entry = { expiresAt: Infinity } as CachedView;
  entry.view = loadAgentView(agentId).then(
    ({ view, validUntil }) => {
      entry.expiresAt = Math.min(validUntil, isResolutionListening() ? Infinity : startedAt + unlistenedTtlMs);
      return view;
    },
    (error: unknown) => {
      if (cachedViews.get(agentId) === entry) cachedViews.delete(agentId);
      throw error;
    },
  );
  cachedViews.set(agentId, entry);
  return entry.view;
}

// ---- Refusals ----

/**
 * Why the agent cannot call the tool of this exposed name, read fresh from the database in the order
 * tools/call checks; null when it can. For refusals, so it is precise rather than fast.
 */
export async function refusalFor(agentId: string, exposedName: string): Promise<Refusal | null> {
  const agent = await db().agent.findUnique({ where: { id: agentId }, select: agentSelect });
  if (!agent) return { code: "unknown_agent", message: "unknown agent", disclosable: false };
  if (agent.disabled) return { code: "agent_disabled", message: "this agent is disabled", disclosable: true };
  const unknown: Refusal = { code: "unknown_tool", message: unknownToolMessage(exposedName), disclosable: false };
  const named = parseNamespacedToolName(exposedName);
  if (!named) return unknown;
  const server = await db().server.findUnique({ where: { name: named.server }, select: { id: true } });
  if (!server) return unknown;
  const declaring = await db().serverVersion.findMany({
    where: { serverId: server.id, tools: { some: { name: named.tool } } },
    select: { id: true, status: true, sunsetAt: true },
  });
  if (declaring.length === 0) return unknown;

  const facts = await loadFacts(agent, server.id);
  const found = check(facts, server.id, named.tool);
  if (found === null) return null;
  const subject = `tool ${named.tool} of server ${named.server}`;
  switch (found.code) {
    case "killed": {
      // Named to the agent only when, switch aside, the tool would be in its view (perhaps drifted).
      const unswitched = check({ ...facts, switches: [] }, server.id, named.tool);
      const disclosable = unswitched === null || unswitched.code === "drift";
      return { code: "killed", message: `${subject} was stopped by a kill switch: ${found.reason}`, disclosable };
    }
    case "not_granted":
      return { code: "not_granted", message: `${subject} is not granted to this agent`, disclosable: false };
    case "drift":
      return { code: "drift", message: `${subject} is blocked: definition drift since certification`, disclosable: true };
    case "not_pinned": {
      // The pinned version declares it but no longer serves (retired, past sunset): not certified.
      // Otherwise a certified version declares it that is not the one pinned here: not promoted.
      const pinnedId = facts.pins.get(server.id)?.version.id;
      const promotable = declaring.some((version) => version.id !== pinnedId && isServing(version, facts.now));
      return promotable
        ? { code: "not_promoted", message: `${subject} is not promoted to ${agent.environment}`, disclosable: false }
        : { code: "not_certified", message: `${subject} is not certified`, disclosable: false };
    }
  }
}

/** The one answer for every tool an agent may not see, whether or not it exists. */
function unknownToolMessage(exposedName: string): string {
  return `no such tool: ${exposedName}`;
}

/** The JSON-RPC code for a tool the agent cannot see: invalid params, as for a name that does not exist. */
export const unknownToolCode = -32602;
/** The JSON-RPC code for a tool the agent can see that is stopped (kill switch, drift) or just changed: the request was fine, the server refuses it for now. */
export const stoppedToolCode = -32000;

export interface RefusalExplanation {
  /** What the agent is answered: the reason when disclosable, else the same words as for no such tool. */
  toAgent: string;
  /** The JSON-RPC error code that goes with toAgent. */
  code: number;
  /** The full reason, for the audit trail. */
  toAudit: string;
}

/**
 * Why a tool is not in the agent's view, worded for the agent and for the audit. When nothing stops
 * it any more (a change landed after the view was read), says to retry. `shownAs` is the name the agent
 * sent, where its endpoint does not prefix names (./endpoint-view.ts).
 */
export async function explainRefusal(agentId: string, exposedName: string, shownAs = exposedName): Promise<RefusalExplanation> {
  const refusal = await refusalFor(agentId, exposedName);
  if (refusal?.disclosable) return { toAgent: refusal.message, code: stoppedToolCode, toAudit: refusal.message };
  if (refusal) return { toAgent: unknownToolMessage(shownAs), code: unknownToolCode, toAudit: refusal.message };
  // The cached view is older than the database: the retry should not read it again.
  cachedViews.delete(agentId);
  const retry = `${shownAs} became available just now; retry the call`;
  return { toAgent: retry, code: stoppedToolCode, toAudit: retry };
}
