import { describe, expect, it } from "vitest";
import { verifyPassword } from "@/lib/auth/password";
import { db } from "@/lib/db/prisma";
import { ValidationError } from "@/lib/errors";
import { makeUser } from "@/test/factories";
import { authenticate, changeOwnPassword, ensureFirstAdmin } from "./credentials";

describe("authenticate", () => {
  it("accepts the right password, case-insensitive email", async () => {
    const person = await makeUser(["reviewer"]);
    const actor = await authenticate(person.email.toUpperCase(), person.password);
    expect(actor).toEqual({ id: person.id, email: person.email, roles: ["reviewer"] });
  });

  it.each([
    ["a wrong password", (email: string) => [email, "wrong password!!"]],
    ["an unknown email", () => ["nobody@example.com", "correct horse battery"]],
    ["an email of wrong type", () => [{ $ne: null }, "correct horse battery"]],
    ["a password of wrong type", (email: string) => [email, ["x"]]],
    ["an injection string", () => ["' OR '1'='1", "' OR '1'='1"]],
  ])("refuses %s", async (_, make) => {
    const person = await makeUser(["reviewer"]);
    const [email, password] = make(person.email);
    expect(await authenticate(email, password)).toBeNull();
  });

  it("refuses a disabled person", async () => {
    const person = await makeUser(["reviewer"]);
    await db().user.update({ where: { id: person.id }, data: { disabled: true } });
    expect(await authenticate(person.email, person.password)).toBeNull();
  });
});

describe("ensureFirstAdmin", () => {
  it("creates one administrator on an empty database with a generated password, then never again", async () => {
    const first = await ensureFirstAdmin({ email: "root@example.com" });
    expect(first?.generatedPassword).toBeTruthy();
    expect(await authenticate("root@example.com", first!.generatedPassword)).toMatchObject({ roles: ["admin"] });
    expect(await ensureFirstAdmin({ email: "other@example.com" })).toBeNull();
    expect(await db().user.count({ where: { roles: { has: "admin" } } })).toBe(1);
    expect(await db().auditEvent.count({ where: { action: "user.seed-admin" } })).toBe(1);
  });

  it("refuses a weak password from the environment", async () => {
    await expect(ensureFirstAdmin({ email: "root2@example.com", password: "admin" })).rejects.toThrow(ValidationError);
  });
});

describe("changeOwnPassword", () => {
  it("needs the current password, then stores the new one", async () => {
    const person = await makeUser(["owner"]);
    await expect(changeOwnPassword(person, { currentPassword: "nope", newPassword: "another long password" })).rejects.toThrow(
      "current password is not correct",
    );
    await changeOwnPassword(person, { currentPassword: person.password, newPassword: "another long password" });
    const stored = await db().user.findUniqueOrThrow({ where: { id: person.id } });
    expect(await verifyPassword(stored.passwordHash!, "another long password")).toBe(true);
    expect(await db().auditEvent.count({ where: { action: "user.password.change", targetId: person.id } })).toBe(1);
  });
});
