import { describe, expect, it } from "vitest";
import { roles } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { makeUser } from "@/test/factories";
import { createUser, listUsers, setUserDisabled, updateUserRoles } from "./manage";

const validNewUser = (email: string) => ({ email, name: "Grace Hopper", password: "a long enough password", roles: ["reviewer"] });
const countUsers = () => db().user.count();
const countAudit = () => db().auditEvent.count({ where: { outcome: "success" } });

type Person = Awaited<ReturnType<typeof makeUser>>;

// Every protected user operation, run by a person holding exactly one role, against the real database.
const operations = {
  "users.view": (actor: Person) => listUsers(actor),
  "users.create": (actor: Person) => createUser(actor, validNewUser(`new-${actor.id.slice(0, 8)}@example.com`)),
  "users.updateRoles": (actor: Person, target: Person) => updateUserRoles(actor, { userId: target.id, roles: ["approver"] }),
  "users.setDisabled": (actor: Person, target: Person) => setUserDisabled(actor, { userId: target.id, disabled: true }),
};

describe("user management authorization (every role × every operation)", () => {
  const cases = Object.keys(operations).flatMap((op) => roles.map((role) => ({ op: op as keyof typeof operations, role })));

  it.each(cases)("$role → $op", async ({ op, role }) => {
    const actor = await makeUser([role]);
    const target = await makeUser(["owner"]);
    if (role === "admin") {
      await expect(operations[op](actor, target)).resolves.toBeDefined();
      return;
    }
    const before = { users: await countUsers(), audit: await countAudit() };
    await expect(operations[op](actor, target)).rejects.toThrow(ForbiddenError);
    const denied = await db().auditEvent.findFirst({ where: { actorId: actor.id, action: op, outcome: "denied" } });
    expect(denied).not.toBeNull();
    expect(await countUsers()).toBe(before.users);
    expect(await countAudit()).toBe(before.audit);
    expect(await db().user.findUniqueOrThrow({ where: { id: target.id } })).toMatchObject({ roles: ["owner"], disabled: false });
  });
});

describe("createUser", () => {
  it("creates the person with roles, a password hash, and an audit event in the same transaction", async () => {
    const admin = await makeUser(["admin"]);
    const { user, generatedPassword } = await createUser(admin, { ...validNewUser("  Grace@Example.COM "), roles: ["reviewer", "approver", "reviewer"] });
    expect(user).toMatchObject({ email: "grace@example.com", roles: ["reviewer", "approver"], disabled: false });
    expect(generatedPassword).toBeUndefined();
    const stored = await db().user.findUniqueOrThrow({ where: { id: user.id } });
    expect(stored.passwordHash).toMatch(/^\$argon2id\$/);
    const event = await db().auditEvent.findFirstOrThrow({ where: { action: "user.create", targetId: user.id } });
    expect(event).toMatchObject({ actorId: admin.id, actorLabel: admin.email, outcome: "success" });
  });

  it("generates a password, returned once, when none is given", async () => {
    const admin = await makeUser(["admin"]);
    const { generatedPassword } = await createUser(admin, { ...validNewUser("gen@example.com"), password: "" });
    expect(generatedPassword).toMatch(/^[\w-]{24}$/);
  });

  it("refuses a second user with the same email, case-insensitively", async () => {
    const admin = await makeUser(["admin"]);
    await createUser(admin, validNewUser("dup@example.com"));
    await expect(createUser(admin, validNewUser("DUP@example.com"))).rejects.toThrow(ConflictError);
    expect(await db().user.count({ where: { email: "dup@example.com" } })).toBe(1);
  });

  const badInputs: [string, Record<string, unknown>, string][] = [
    ["empty email", { email: "" }, "Email is required."],
    ["malformed email", { email: "not-an-email" }, "Enter a valid email address"],
    ["email too long", { email: `${"a".repeat(250)}@example.com` }, "at most 254"],
    ["SQL injection email", { email: "x@example.com'; DROP TABLE users;--" }, "Enter a valid email address"],
    ["empty name", { name: "   " }, "Name is required."],
    ["name too long", { name: "a".repeat(101) }, "at most 100"],
    ["HTML in name", { name: "<script>alert(1)</script>" }, "Name may contain"],
    ["SQL in name", { name: "Robert'); DROP TABLE users;--" }, "Name may contain"],
    ["name of wrong type", { name: 42 }, "Name is required."],
    ["short password", { password: "short" }, "at least 12"],
    ["password too long", { password: "p".repeat(201) }, "at most 200"],
    ["no roles", { roles: [] }, "Choose at least one role."],
    ["unknown role", { roles: ["superuser"] }, "Roles must be"],
    ["roles of wrong type", { roles: "admin" }, "Roles must be"],
  ];

  it.each(badInputs)("refuses %s with a clear message and changes nothing", async (_, override, message) => {
    const admin = await makeUser(["admin"]);
    const before = { users: await countUsers(), audit: await countAudit() };
    const attempt = createUser(admin, { ...validNewUser("valid@example.com"), ...override });
    await expect(attempt).rejects.toThrow(ValidationError);
    await expect(attempt).rejects.toThrow(message);
    expect(await countUsers()).toBe(before.users);
    expect(await countAudit()).toBe(before.audit);
  });
});

describe("updateUserRoles and setUserDisabled", () => {
  it("changes roles and records before and after", async () => {
    const admin = await makeUser(["admin"]);
    const target = await makeUser(["owner"]);
    const user = await updateUserRoles(admin, { userId: target.id, roles: ["reviewer", "approver"] });
    expect(user.roles).toEqual(["reviewer", "approver"]);
    const event = await db().auditEvent.findFirstOrThrow({ where: { action: "user.roles.update", targetId: target.id } });
    expect(event.details).toMatchObject({ before: ["owner"], after: ["reviewer", "approver"] });
  });

  it("never removes the last active administrator", async () => {
    const admins = await db().user.findMany({ where: { roles: { has: "admin" } } });
    for (const a of admins) await db().user.update({ where: { id: a.id }, data: { roles: ["owner"] } });
    const admin = await makeUser(["admin"]);
    await expect(updateUserRoles(admin, { userId: admin.id, roles: ["owner"] })).rejects.toThrow(
      "Toolgate needs at least one active administrator.",
    );
    const other = await makeUser(["admin"]);
    await expect(updateUserRoles(admin, { userId: admin.id, roles: ["owner"] })).resolves.toBeDefined();
    await expect(setUserDisabled(other, { userId: other.id, disabled: true })).rejects.toThrow("your own account");
    expect(await db().auditEvent.count({ where: { actorId: other.id, action: "users.setDisabled", outcome: "denied", reason: "own account" } })).toBe(1);
  });

  it("disables and re-enables a person, auditing both", async () => {
    const admin = await makeUser(["admin"]);
    const target = await makeUser(["reviewer"]);
    expect((await setUserDisabled(admin, { userId: target.id, disabled: true })).disabled).toBe(true);
    expect((await setUserDisabled(admin, { userId: target.id, disabled: false })).disabled).toBe(false);
    const actions = await db().auditEvent.findMany({ where: { targetId: target.id }, orderBy: { id: "asc" } });
    expect(actions.map((a) => a.action)).toEqual(["user.disable", "user.enable"]);
  });

  it("refuses unknown or forged user ids and wrong types, changing nothing", async () => {
    const admin = await makeUser(["admin"]);
    await expect(updateUserRoles(admin, { userId: "1 OR 1=1", roles: ["owner"] })).rejects.toThrow("Unknown user.");
    await expect(updateUserRoles(admin, { userId: "00000000-0000-4000-8000-000000000000", roles: ["owner"] })).rejects.toThrow(NotFoundError);
    await expect(setUserDisabled(admin, { userId: admin.id, disabled: "yes" })).rejects.toThrow(ValidationError);
    expect(await db().auditEvent.count({ where: { actorId: admin.id, outcome: "success" } })).toBe(0);
  });
});
