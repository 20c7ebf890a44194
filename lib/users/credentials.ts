import { personActor, recordAudit, systemActor } from "@/lib/audit/record";
import { generatePassword, hashPassword, verifyPassword } from "@/lib/auth/password";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { ValidationError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import { changePasswordInput, emailSchema, passwordSchema } from "./schemas";

// Verifying against this when the email is unknown keeps both paths equally slow.
const unknownUserHash = hashPassword(generatePassword());

/** The active person with this email and password, or null. Never says which of the two was wrong. */
export async function authenticate(email: unknown, password: unknown): Promise<Actor | null> {
  const parsedEmail = emailSchema.safeParse(email);
  if (!parsedEmail.success || typeof password !== "string" || password.length > 200) return null;
  const user = await db().user.findUnique({ where: { email: parsedEmail.data } });
  const valid = await verifyPassword(user?.passwordHash ?? (await unknownUserHash), password);
  if (!user || !valid || user.disabled) return null;
  return { id: user.id, email: user.email, roles: user.roles };
}

export async function changeOwnPassword(actor: Actor, input: unknown): Promise<void> {
  const { currentPassword, newPassword } = parseInput(changePasswordInput, input);
  const user = await db().user.findUniqueOrThrow({ where: { id: actor.id } });
  if (!user.passwordHash || !(await verifyPassword(user.passwordHash, currentPassword))) {
    throw new ValidationError("Your current password is not correct.", { currentPassword: ["Not correct."] });
  }
  const passwordHash = await hashPassword(newPassword);
  await db().$transaction(async (tx) => {
    await tx.user.update({ where: { id: actor.id }, data: { passwordHash } });
    await recordAudit(tx, {
      actor: personActor(actor),
      action: "user.password.change",
      target: { type: "user", id: actor.id },
      outcome: "success",
    });
  });
}

export interface FirstAdmin {
  email: string;
  /** Set only when the password was generated here: print it once, it is stored nowhere. */
  generatedPassword?: string;
}

/** On an empty database, creates the first administrator; otherwise does nothing and returns null. */
export async function ensureFirstAdmin(options: { email?: string; password?: string }): Promise<FirstAdmin | null> {
  const email = parseInput(emailSchema, options.email ?? "admin@toolgate.local");
  const password = options.password === undefined ? undefined : parseInput(passwordSchema, options.password);
  const generatedPassword = password ? undefined : generatePassword();
  const passwordHash = await hashPassword(password ?? generatedPassword!);
  return db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(727310002)`;
    if ((await tx.user.count({ where: { roles: { has: "admin" } } })) > 0) return null;
    const admin = await tx.user.create({ data: { email, name: "Administrator", roles: ["admin"], passwordHash } });
    await recordAudit(tx, {
      actor: systemActor,
      action: "user.seed-admin",
      target: { type: "user", id: admin.id },
      outcome: "success",
      details: { email },
    });
    return { email, generatedPassword };
  });
}
