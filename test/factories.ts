import { randomBytes } from "node:crypto";
import type { Actor, Role } from "@/lib/auth/roles";
import { hashPassword } from "@/lib/auth/password";
import { db } from "@/lib/db/prisma";

/** A person stored in the test database, with the given roles and password. */
export async function makeUser(roles: Role[], password = "correct horse battery"): Promise<Actor & { password: string }> {
  const email = `${roles.join("-") || "nobody"}-${randomBytes(4).toString("hex")}@example.com`;
  const user = await db().user.create({
    data: { email, name: "Test Person", roles, passwordHash: await hashPassword(password) },
  });
  return { id: user.id, email: user.email, roles: user.roles, password };
}

/** A team with these people as members. */
export async function makeTeam(members: { id: string }[] = [], name = `Team ${randomBytes(3).toString("hex")}`) {
  return db().team.create({
    data: { name, members: { create: members.map((member) => ({ userId: member.id })) } },
    select: { id: true, name: true },
  });
}
