import { z } from "zod";

export const roles = ["admin", "owner", "reviewer", "approver"] as const;
export type Role = (typeof roles)[number];
export const roleSchema = z.enum(roles, { error: "Roles must be a list of admin, owner, reviewer, approver." });

export const roleLabels: Record<Role, string> = {
  admin: "Administrator",
  owner: "Server owner",
  reviewer: "Governance reviewer",
  approver: "Approver",
};

/** Who is acting: a signed-in person as the authorization module sees them. */
export interface Actor {
  id: string;
  email: string;
  roles: readonly Role[];
}

/** Whether a person (an actor, or a user record) holds the role. */
export function hasRole(holder: { roles: readonly Role[] }, role: Role): boolean {
  return holder.roles.includes(role);
}
