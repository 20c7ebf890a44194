import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { env } from "@/lib/config/env";

// AES-256-GCM for server-side credentials at rest. The key is derived from TOOLGATE_ENCRYPTION_KEY,
// which `npm start` provides (from the environment, or generated once into the data folder).
const algorithm = "aes-256-gcm";
const format = "v1";

function key(): Buffer {
  const secret = env("TOOLGATE_ENCRYPTION_KEY");
  if (!secret) throw new Error("TOOLGATE_ENCRYPTION_KEY is not set: start the app with `npm start`, which provides it.");
  return createHash("sha256").update(secret).digest();
}

/** "v1.<iv>.<tag>.<ciphertext>", all base64url. */
export function encryptSecret(plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv(algorithm, key(), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [format, iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === "string" ? part : part.toString("base64url"))).join(".");
}

export function decryptSecret(sealed: string): string {
  const [version, iv, tag, ciphertext] = sealed.split(".");
  if (version !== format || !iv || !tag || ciphertext === undefined) throw new Error("Unreadable encrypted secret.");
  const decipher = createDecipheriv(algorithm, key(), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
}

/** What may be shown of a secret after it is stored: its last four characters at most. */
export function secretHint(secret: string): string {
  return secret.length > 8 ? `••••${secret.slice(-4)}` : "••••";
}
