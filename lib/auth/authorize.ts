import { type Actor, type Role, roleLabels } from "./roles";

// The one place that says who may do what. Every page, server action and route handler asks here,
// through guard() (lib/auth/guard.ts), which audits refusals.
export const permissions = {
  "catalog.view": { roles: ["admin", "owner", "reviewer", "approver"], does: "view the catalog" },
  "catalog.register": { roles: ["owner"], does: "register MCP servers" },
  "catalog.edit": { roles: ["owner"], does: "edit catalog entries and import versions" },
  "evidence.add": { roles: ["owner", "reviewer"], does: "add certification evidence" },
  "versions.submit": { roles: ["owner"], does: "submit versions for certification" },
  "reviews.view": { roles: ["admin", "reviewer"], does: "view the review queue" },
  "reviews.decide": { roles: ["reviewer"], does: "claim, certify or reject versions" },
  "promotions.request": { roles: ["owner"], does: "request promotions and deprecations" },
  "promotions.decide": { roles: ["approver"], does: "approve or deny promotions" },
  "killswitch.manage": { roles: ["admin", "reviewer"], does: "set and clear kill switches" },
  "settings.manage": { roles: ["admin"], does: "change policy settings" },
  "approvals.view": { roles: ["admin", "approver"], does: "view the approvals inbox" },
  "agents.view": { roles: ["admin", "owner"], does: "view agents" },
  "agents.manage": { roles: ["admin", "owner"], does: "manage agents, their keys and grants" },
  "grants.decide": { roles: ["approver"], does: "approve or deny access grants" },
  "toolcalls.decide": { roles: ["approver"], does: "approve or deny high-risk tool calls" },
  "audit.view": { roles: ["admin", "reviewer", "approver"], does: "view the audit trail" },
  "audit.export": { roles: ["admin", "reviewer", "approver"], does: "export the audit trail" },
  "audit.verify": { roles: ["admin", "reviewer", "approver"], does: "verify the audit hash chain" },
  "audit.quarantine": { roles: ["admin"], does: "see audit events set aside in quarantine" },
  "users.view": { roles: ["admin"], does: "view users" },
  "users.create": { roles: ["admin"], does: "create users" },
  "users.updateRoles": { roles: ["admin"], does: "change users' roles" },
  "users.setDisabled": { roles: ["admin"], does: "disable or enable users" },
  "teams.manage": { roles: ["admin"], does: "manage teams and their members" },
  "identity.manage": { roles: ["admin"], does: "manage trusted identity providers and the clients bound to agents" },
  "policies.view": { roles: ["admin", "reviewer", "approver"], does: "view policy sets, replay them and ask why a call is decided" },
  "policies.author": { roles: ["admin"], does: "write and propose policy sets" },
  "policies.approve": { roles: ["approver"], does: "approve or reject proposed policy sets" },
  "policies.activate": { roles: ["admin", "approver"], does: "activate policy sets, run them in shadow and roll back" },
  "bundles.define": { roles: ["admin", "owner"], does: "define bundles of tools and their versions" },
  "bundles.review": { roles: ["reviewer"], does: "certify or reject bundle versions" },
  "jobs.view": { roles: ["admin"], does: "see the background jobs and their runs" },
} as const satisfies Record<string, { roles: readonly Role[]; does: string }>;

export type Action = keyof typeof permissions;
export const actions = Object.keys(permissions) as Action[];

export function can(actor: Actor, action: Action): boolean {
  const allowed: readonly Role[] = permissions[action].roles;
  return actor.roles.some((role) => allowed.includes(role));
}

export function refusalMessage(action: Action): string {
  const { roles, does } = permissions[action];
  const needed = roles.map((role) => roleLabels[role].toLowerCase()).join(" or ");
  return `You are not allowed to ${does}: this needs the role ${needed}.`;
}
