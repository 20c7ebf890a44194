import { getServerSession } from "next-auth";
import { forbidden, redirect } from "next/navigation";
import type { RefusalAction } from "@/lib/audit/actions";
import { db } from "@/lib/db/prisma";
import { ForbiddenError, UnauthenticatedError } from "@/lib/errors";
import { type Action, can } from "./authorize";
import { type AuditTarget, auditRefusal } from "./guard";
import { authOptions } from "./options";
import type { Actor } from "./roles";

export interface CurrentUser extends Actor {
  name: string;
}

/** The signed-in, still-active person, read fresh from the database so role changes apply at once. */
export async function currentUser(): Promise<CurrentUser | null> {
  const session = await getServerSession(authOptions);
  const id = session?.user?.id;
  if (!id) return null;
  const user = await db().user.findUnique({ where: { id } });
  if (!user || user.disabled) return null;
  return { id: user.id, email: user.email, name: user.name, roles: user.roles };
}

/** For pages: redirects to sign-in when nobody is signed in. */
export async function requireUser(): Promise<CurrentUser> {
  const user = await currentUser();
  if (!user) redirect("/signin");
  return user;
}

/** For pages: audits the refusal, then renders the 403 page. */
export async function forbidPage(user: CurrentUser, action: RefusalAction, target: AuditTarget, reason: string): Promise<never> {
  await auditRefusal(user, action, target, reason);
  forbidden();
}

/** For pages: a domain function's refusal (which it audited when it refused) is the 403 page, not an error. */
export async function orForbidden<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ForbiddenError) forbidden();
    throw error;
  }
}

/** For pages: renders the 403 page unless the signed-in person may perform the action. */
export async function requirePagePermission(action: Action): Promise<CurrentUser> {
  const user = await requireUser();
  if (!can(user, action)) await forbidPage(user, action, { type: "page" }, "missing role");
  return user;
}

/** For server actions and route handlers: throws UnauthenticatedError (401) when nobody is signed in. */
export async function requireActor(): Promise<CurrentUser> {
  const user = await currentUser();
  if (!user) throw new UnauthenticatedError();
  return user;
}
