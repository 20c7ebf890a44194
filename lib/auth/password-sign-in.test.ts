import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { makeUser } from "@/test/factories";
import { signInWithPassword, SignInThrottledError } from "./password-sign-in";
import { clientAddress, SignInThrottle } from "./sign-in-throttle";

const rules = {
  account: { failures: 10, windowSeconds: 900, blockSeconds: 900 },
  address: { failures: 30, windowSeconds: 3600, blockSeconds: 3600 },
};

const lockouts = (label: string) => db().auditEvent.findMany({ where: { action: "auth.lockout", actorLabel: label }, orderBy: { id: "asc" } });

describe("throttled sign-in", () => {
  it("after 30 wrong passwords in a burst, refuses the right one too and says when to retry", async () => {
    const person = await makeUser(["owner"]);
    const throttle = new SignInThrottle(rules);
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 30; attempt++) {
      outcomes.push(await signInWithPassword(person.email, "wrong password", "198.51.100.1", throttle).then((actor) => (actor ? "signed in" : "wrong"), (error: Error) => error.constructor.name));
    }
    expect(outcomes.slice(0, 9)).toEqual(Array(9).fill("wrong"));
    expect(new Set(outcomes.slice(9))).toEqual(new Set(["SignInThrottledError"]));
    const right = signInWithPassword(person.email, person.password, "198.51.100.1", throttle);
    await expect(right).rejects.toThrow(SignInThrottledError);
    await expect(right).rejects.toThrow(/Too many failed sign-ins\. Try again in 15 minutes\./);

    const [lockout, ...more] = await lockouts(person.email);
    expect(more).toEqual([]);
    expect(lockout).toMatchObject({ outcome: "denied", targetType: "account", targetId: person.email, details: { scope: "account", retryAfterSeconds: 900, address: "198.51.100.1" } });
    const throttled = await db().auditEvent.count({ where: { action: "auth.sign-in", actorLabel: person.email, reason: { startsWith: "throttled" } } });
    expect(throttled).toBe(21);
  });

  it("locks the account from every address, and lets the right password through before the limit", async () => {
    const person = await makeUser(["owner"]);
    const throttle = new SignInThrottle(rules);
    for (let attempt = 0; attempt < 9; attempt++) expect(await signInWithPassword(person.email, "wrong", `203.0.113.${attempt}`, throttle)).toBeNull();
    expect(await signInWithPassword(person.email.toUpperCase(), person.password, "203.0.113.50", throttle)).toMatchObject({ id: person.id });
    // Success cleared the account's count: nine more failures are allowed again before the tenth locks it.
    for (let attempt = 0; attempt < 9; attempt++) expect(await signInWithPassword(person.email, "wrong", `203.0.113.${attempt}`, throttle)).toBeNull();
    await expect(signInWithPassword(person.email, "wrong", "203.0.113.99", throttle)).rejects.toThrow(SignInThrottledError);
    await expect(signInWithPassword(person.email, person.password, "192.0.2.200", throttle)).rejects.toThrow(SignInThrottledError);
  });

  it("throttles an address that guesses across many accounts", async () => {
    const throttle = new SignInThrottle(rules);
    const target = await makeUser(["owner"]);
    for (let attempt = 0; attempt < 29; attempt++) expect(await signInWithPassword(`nobody-${attempt}@example.com`, "guess", "192.0.2.77", throttle)).toBeNull();
    await expect(signInWithPassword("nobody-29@example.com", "guess", "192.0.2.77", throttle)).rejects.toThrow(/Try again in 60 minutes/);
    await expect(signInWithPassword(target.email, target.password, "192.0.2.77", throttle)).rejects.toThrow(SignInThrottledError);
    expect(await signInWithPassword(target.email, target.password, "192.0.2.78", throttle)).toMatchObject({ id: target.id });
    const lockout = await db().auditEvent.findFirstOrThrow({ where: { action: "auth.lockout", targetId: "192.0.2.77" } });
    expect(lockout).toMatchObject({ targetType: "address", details: { scope: "address", retryAfterSeconds: 3600 } });
  });

  it("takes the client's address from the entry its own front server appended, unless a proxy is trusted", () => {
    const saved = process.env.TOOLGATE_TRUST_PROXY;
    delete process.env.TOOLGATE_TRUST_PROXY;
    expect(clientAddress({ "x-forwarded-for": "10.9.9.9, 198.51.100.7" })).toBe("198.51.100.7");
    expect(clientAddress({})).toBe("unknown");
    process.env.TOOLGATE_TRUST_PROXY = "true";
    expect(clientAddress({ "x-forwarded-for": "198.51.100.8, 10.0.0.1" })).toBe("198.51.100.8");
    if (saved === undefined) delete process.env.TOOLGATE_TRUST_PROXY;
    else process.env.TOOLGATE_TRUST_PROXY = saved;
  });
});
