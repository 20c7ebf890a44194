import { recordAudit } from "@/lib/audit/record";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { authenticate } from "@/lib/users/credentials";
import { emailSchema } from "@/lib/users/schemas";
import { type Lockout, signInThrottle, type SignInThrottle } from "./sign-in-throttle";

// Signing in with an email and a password, throttled (lib/auth/sign-in-throttle.ts). Every refusal is
// audited: a wrong password, an attempt while locked out, and the moment a lockout starts.

/** Sign-in is refused until the lockout ends; the message says when to try again. */
export class SignInThrottledError extends Error {
  constructor(readonly lockout: Lockout) {
    super(`Too many failed sign-ins. Try again in ${waitText(lockout.retryAfterSeconds)}.`);
  }
}

function waitText(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

const who = (email: unknown) => {
  const parsed = emailSchema.safeParse(email);
  return parsed.success ? parsed.data : "(invalid email)";
};

/**
 * The active person with this email and password, or null when either is wrong. Throws
 * SignInThrottledError while the account or the address is locked out, or when this failure locks it.
 */
export async function signInWithPassword(email: unknown, password: unknown, address: string, throttle: SignInThrottle = signInThrottle()): Promise<Actor | null> {
  const account = typeof email === "string" ? email : "";
  const locked = await throttle.lockout(account, address);
  if (locked) {
    await recordAudit(db(), {
      actor: { label: who(email) },
      action: "auth.sign-in",
      target: { type: "session" },
      outcome: "denied",
      reason: `throttled: too many failed sign-ins for this ${locked.scope}`,
      details: { address, scope: locked.scope, retryAfterSeconds: locked.retryAfterSeconds },
    });
    throw new SignInThrottledError(locked);
  }
  const actor = await authenticate(email, password);
  if (actor) {
    await throttle.recordSuccess(account, address);
    return actor;
  }
  await recordAudit(db(), {
    actor: { label: who(email) },
    action: "auth.sign-in",
    target: { type: "session" },
    outcome: "denied",
    reason: "wrong email or password, or account disabled",
    details: { address },
  });
  const started = await throttle.recordFailure(account, address);
  for (const lockout of started) {
    await recordAudit(db(), {
      actor: { label: who(email) },
      action: "auth.lockout",
      target: { type: lockout.scope === "account" ? "account" : "address", id: lockout.scope === "account" ? who(email) : address },
      outcome: "denied",
      reason: `too many failed sign-ins for this ${lockout.scope}`,
      details: { address, scope: lockout.scope, retryAfterSeconds: lockout.retryAfterSeconds },
    });
  }
  if (started.length > 0) throw new SignInThrottledError(started.reduce((a, b) => (b.retryAfterSeconds > a.retryAfterSeconds ? b : a)));
  return null;
}
