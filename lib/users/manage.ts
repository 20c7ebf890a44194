import { personActor, recordAudit } from "@/lib/audit/record";
import { guard, refuse } from "@/lib/auth/guard";
import { generatePassword, hashPassword } from "@/lib/auth/password";
import { type Actor, hasRole, type Role } from "@/lib/auth/roles";
import { db, type Tx } from "@/lib/db/prisma";
import { conflictIfTaken } from "@/lib/db/unique-violation";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import { createUserInput, setDisabledInput, updateRolesInput } from "./schemas";

const publicUserFields = {
  id: true,
  email: true,
  name: true,
  roles: true,
  disabled: true,
  createdAt: true,
} as const;

export async function listUsers(actor: Actor) {
  await guard(actor, "users.view", { type: "user" });
  return db().user.findMany({ select: publicUserFields, orderBy: { email: "asc" } });
}

/** Creates a person with roles; without a password one is generated and returned once. */
export async function createUser(actor: Actor, input: unknown) {
  await guard(actor, "users.create", { type: "user" });
  const data = parseInput(createUserInput, input);
  const generatedPassword = data.password ? undefined : generatePassword();
  const passwordHash = await hashPassword(data.password ?? generatedPassword!);
  const user = await conflictIfTaken(
    db().$transaction(async (tx) => {
      const created = await tx.user.create({
        data: { email: data.email, name: data.name, roles: data.roles, passwordHash },
        select: publicUserFields,
      });
      await recordAudit(tx, {
        actor: personActor(actor),
        action: "user.create",
        target: { type: "user", id: created.id },
        outcome: "success",
        details: { email: created.email, roles: created.roles },
      });
      return created;
    }),
    `A user with the email ${data.email} already exists.`,
  );
  return { user, generatedPassword };
}

async function findUser(tx: Tx, userId: string) {
  const user = await tx.user.findUnique({ where: { id: userId }, select: publicUserFields });
  if (!user) throw new NotFoundError("That user does not exist.");
  return user;
}

// Locks the admin rows so two concurrent changes cannot both remove "the other" last admin.
async function assertAnotherActiveAdmin(tx: Tx, userId: string): Promise<void> {
  const others = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM users WHERE 'admin' = ANY(roles) AND NOT disabled AND id <> ${userId}::uuid FOR UPDATE`;
  if (others.length === 0) throw new ValidationError("Toolgate needs at least one active administrator.");
}

export async function updateUserRoles(actor: Actor, input: unknown) {
  await guard(actor, "users.updateRoles", { type: "user" });
  const { userId, roles } = parseInput(updateRolesInput, input);
  return db().$transaction(async (tx) => {
    const before = await findUser(tx, userId);
    if (hasRole(before, "admin") && !hasRole({ roles }, "admin")) await assertAnotherActiveAdmin(tx, userId);
    const user = await tx.user.update({ where: { id: userId }, data: { roles }, select: publicUserFields });
    await recordAudit(tx, {
      actor: personActor(actor),
      action: "user.roles.update",
      target: { type: "user", id: userId },
      outcome: "success",
      details: { email: user.email, before: before.roles, after: roles as Role[] },
    });
    return user;
  });
}

export async function setUserDisabled(actor: Actor, input: unknown) {
  await guard(actor, "users.setDisabled", { type: "user" });
  const { userId, disabled } = parseInput(setDisabledInput, input);
  if (disabled && userId === actor.id) await refuse(actor, "users.setDisabled", { type: "user", id: userId }, "own account", "You cannot disable your own account.");
  return db().$transaction(async (tx) => {
    const before = await findUser(tx, userId);
    if (disabled && hasRole(before, "admin")) await assertAnotherActiveAdmin(tx, userId);
    const user = await tx.user.update({ where: { id: userId }, data: { disabled }, select: publicUserFields });
    await recordAudit(tx, {
      actor: personActor(actor),
      action: disabled ? "user.disable" : "user.enable",
      target: { type: "user", id: userId },
      outcome: "success",
      details: { email: user.email },
    });
    return user;
  });
}
