import type { Action as Permission } from "@/lib/auth/authorize";

// Every action the audit trail records, in one place. The strings are stored in audit_events.action and
// are what people filter and export on, so an existing one is never renamed: a new event adds a string
// here. They grew in several styles (dots, dashes, underscores); a new one is `domain.verb`, with
// underscores inside a word as in toolcall.approval_request.

/**
 * What the gateway audits as `gateway.<method>` (lib/gateway/audit-event.ts): the MCP methods whose
 * calls and refusals it records, and "edge" for the HTTP edge's aggregated refusals.
 */
export type GatewayMethod = "tools/call" | "tools/list" | "resources/read" | "prompts/get" | "completion/complete" | "edge" | "elicitation/create" | "sampling/createMessage";

export const auditActions = [
  // Sign-in, sign-out and lockout (lib/auth).
  "auth.sign-in",
  "auth.sign-out",
  "auth.lockout",
  // A request the proxy refuses before any route sees it (proxy.ts).
  "request.cross-site",
  "request.too-large",
  // People and teams (lib/users, lib/teams).
  "user.create",
  "user.roles.update",
  "user.disable",
  "user.enable",
  "user.password.change",
  "user.seed-admin",
  "user.teams.update",
  "team.create",
  // Catalog entries, their versions and evidence (lib/catalog, lib/evidence).
  "server.register",
  "server.update",
  "server.version.import",
  "evidence.add",
  // The review lifecycle, `version.<transition>` (lib/certification/lifecycle.ts), and promotions.
  "version.submit",
  "version.claim",
  "version.certify",
  "version.reject",
  "version.deprecate",
  "version.retire",
  "version.promote",
  "promotion.request",
  "promotion.approve",
  "promotion.deny",
  // Agents, their keys and their grants (lib/agents).
  "agent.create",
  "agent.enable",
  "agent.disable",
  "agent.tool-discovery",
  "agent.key.create",
  "agent.key.revoke",
  "agent.token.bind",
  "agent.token.unbind",
  "grant.request",
  "grant.approve",
  "grant.deny",
  "grant.revoke",
  "grant.await-approval",
  // Authorization servers whose access tokens Toolgate accepts (lib/identity).
  "identity.issuer.register",
  "identity.issuer.disable",
  "identity.issuer.enable",
  "identity.issuer.remove",
  // Runtime approvals of high-risk tool calls (lib/tool-approvals).
  "toolcall.approval_request",
  "toolcall.approve",
  "toolcall.deny",
  "toolcall.approval_expire",
  "toolcall.approval_escalate",
  // Kill switches and policy settings (lib/killswitch, lib/settings).
  "killswitch.engage",
  "killswitch.clear",
  "settings.update",
  // Policy sets (lib/policy): their lifecycle, shadow runs, replays and explanations.
  "policy.draft",
  "policy.propose",
  "policy.approve",
  "policy.reject",
  "policy.activate",
  "policy.rollback",
  "policy.shadow.start",
  "policy.shadow.stop",
  "policy.replay",
  // Bundles of tools across entries and their reviewed versions (lib/bundles).
  "bundle.create",
  "bundle.version.draft",
  "bundle.version.submit",
  "bundle.version.certify",
  "bundle.version.reject",
  // The audit trail's own events (lib/audit).
  "audit.export",
  "audit.verify_chain",
  "audit.event_quarantined",
  // Retention deleted the events older than the audit.retentionDays policy (lib/audit-trail/retention.ts).
  "audit.prune",
  // The checkpoint job found the chain broken since the last checkpoint and did not sign (lib/audit-trail/head-checkpoint.ts).
  "audit.checkpoint_refused",
  // The gateway: calls and refusals per method, drift found and resolved (lib/gateway).
  "gateway.tools/call",
  "gateway.tools/list",
  // A resource read and a prompt get, allowed or refused (lib/gateway/definitions-server.ts).
  "gateway.resources/read",
  "gateway.prompts/get",
  "gateway.completion/complete",
  "gateway.edge",
  // A backend's request during a call, relayed to the client or refused (lib/gateway/backend-requests.ts).
  "gateway.elicitation/create",
  "gateway.sampling/createMessage",
  "gateway.drift",
  "gateway.drift.resolve",
] as const;

/**
 * A refusal is audited under the permission that was checked (lib/auth/authorize.ts), e.g. "catalog.edit";
 * a separation-of-duties refusal of a tool-call decision has its own older name.
 */
export type RefusalAction = Permission | "toolcall.decide";

export type AuditAction = (typeof auditActions)[number] | RefusalAction;
