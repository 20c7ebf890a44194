import { randomBytes } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";

export const minPasswordLength = 12;
export const maxPasswordLength = 200;

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false; // a malformed stored hash never signs anyone in
  }
}

/** A random password for a new account, shown once to whoever created it. */
export function generatePassword(): string {
  return randomBytes(18).toString("base64url");
}
