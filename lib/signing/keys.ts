import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { z } from "zod";
import { decryptSecret, encryptSecret } from "@/lib/crypto/secret-box";
import { db, type Tx } from "@/lib/db/prisma";
import { env } from "@/lib/config/env";

// The key the catalog signs certified manifests with (Ed25519). It comes from TOOLGATE_SIGNING_KEY when
// set (kept out of the database: only its public half is stored), else it is generated once and kept in
// signing_keys, its private half encrypted with TOOLGATE_ENCRYPTION_KEY. Every key ever used stays
// listed so hosts can still verify manifests signed before a rotation.

export const signingAlgorithm = "Ed25519";

export interface SigningKeyPair {
  id: string;
  publicKeyPem: string;
  privateKey: KeyObject;
}

export interface PublicSigningKey {
  id: string;
  algorithm: string;
  publicKeyPem: string;
  active: boolean;
  createdAt: Date;
}

export interface Jwk {
  kty: "OKP";
  crv: "Ed25519";
  x: string;
  kid: string;
  use: "sig";
  alg: "EdDSA";
}

// Two instances starting together serialise on this lock, so only one of them generates a key.
const signingKeyLock = 0x746f6f6c; // "tool"

/** First 16 hex characters of the SHA-256 of the public key's SPKI DER encoding. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash("sha256").update(publicKey.export({ type: "spki", format: "der" })).digest("hex").slice(0, 16);
}

const envKeySchema = z
  .string()
  // Environment files often carry a PEM on one line with literal "\n".
  .transform((value) => value.replace(/\\n/g, "\n").trim())
  .transform((pem, ctx) => {
    const problem = "TOOLGATE_SIGNING_KEY must be an Ed25519 private key in PKCS#8 PEM form (-----BEGIN PRIVATE KEY-----)";
    if (!pem.startsWith("-----BEGIN PRIVATE KEY-----")) {
      ctx.addIssue({ code: "custom", message: `${problem}; it does not start with that header.` });
      return z.NEVER;
    }
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: pem, format: "pem" });
    } catch (error) {
      ctx.addIssue({ code: "custom", message: `${problem}; it could not be read (${(error as Error).message}).` });
      return z.NEVER;
    }
    if (key.asymmetricKeyType !== "ed25519") {
      ctx.addIssue({ code: "custom", message: `${problem}; it is a ${key.asymmetricKeyType ?? "unknown"} key.` });
      return z.NEVER;
    }
    return key;
  });

/** The key from TOOLGATE_SIGNING_KEY, or null when it is unset; a bad key stops with a message saying why. */
function keyFromEnvironment(): KeyObject | null {
  const value = env("TOOLGATE_SIGNING_KEY");
  if (!value) return null;
  const parsed = envKeySchema.safeParse(value);
  if (!parsed.success) throw new Error(parsed.error.issues.map((issue) => issue.message).join(" "));
  return parsed.data;
}

function pairOf(privateKey: KeyObject): SigningKeyPair {
  const publicKey = createPublicKey(privateKey);
  return { id: keyIdOf(publicKey), publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(), privateKey };
}

async function lockSigningKeys(tx: Tx): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${signingKeyLock}::bigint)`;
}

async function storeEnvironmentKey(privateKey: KeyObject): Promise<SigningKeyPair> {
  const pair = pairOf(privateKey);
  await db().$transaction(async (tx) => {
    await lockSigningKeys(tx);
    const stored = await tx.signingKey.findUnique({ where: { id: pair.id } });
    const othersActive = await tx.signingKey.count({ where: { active: true, id: { not: pair.id } } });
    if (stored?.active && !stored.privateKeyCiphertext && othersActive === 0) return;
    await tx.signingKey.updateMany({ where: { active: true, id: { not: pair.id } }, data: { active: false } });
    // The private half stays in the environment: a stored copy would outlive the operator's rotation.
    await tx.signingKey.upsert({
      where: { id: pair.id },
      create: { id: pair.id, algorithm: signingAlgorithm, publicKeyPem: pair.publicKeyPem, privateKeyCiphertext: null, active: true },
      update: { active: true, privateKeyCiphertext: null },
    });
  });
  return pair;
}

function decryptStoredKey(id: string, ciphertext: string): KeyObject {
  try {
    return createPrivateKey({ key: decryptSecret(ciphertext), format: "pem" });
  } catch {
    throw new Error(`The stored signing key ${id} cannot be decrypted: TOOLGATE_ENCRYPTION_KEY is not the one it was stored with.`);
  }
}

async function loadOrGenerateKey(): Promise<SigningKeyPair & { generated: boolean }> {
  return db().$transaction(async (tx) => {
    await lockSigningKeys(tx);
    // A key that came from the environment has no stored private half; once that variable is gone
    // a new key is generated, and the old one stays published for verification.
    const stored = await tx.signingKey.findFirst({
      where: { active: true, privateKeyCiphertext: { not: null } },
      orderBy: { createdAt: "desc" },
    });
    if (stored?.privateKeyCiphertext) {
      return { ...pairOf(decryptStoredKey(stored.id, stored.privateKeyCiphertext)), generated: false };
    }
    const pair = pairOf(generateKeyPairSync("ed25519").privateKey);
    await tx.signingKey.updateMany({ where: { active: true }, data: { active: false } });
    await tx.signingKey.create({
      data: {
        id: pair.id,
        algorithm: signingAlgorithm,
        publicKeyPem: pair.publicKeyPem,
        privateKeyCiphertext: encryptSecret(pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString()),
        active: true,
      },
    });
    return { ...pair, generated: true };
  });
}

/** The key new manifests are signed with: TOOLGATE_SIGNING_KEY, else the stored one, else a new one. */
export async function activeSigningKey(): Promise<SigningKeyPair> {
  const { id, publicKeyPem, privateKey } = await ensureSigningKey();
  return { id, publicKeyPem, privateKey };
}

/** For start-up: makes sure a usable signing key exists (failing fast on a bad one) and says where it came from. */
export async function ensureSigningKey(): Promise<SigningKeyPair & { source: "environment" | "database" | "generated" }> {
  const fromEnvironment = keyFromEnvironment();
  if (fromEnvironment) return { ...(await storeEnvironmentKey(fromEnvironment)), source: "environment" };
  const { generated, ...pair } = await loadOrGenerateKey();
  return { ...pair, source: generated ? "generated" : "database" };
}

/** Every key the catalog has signed with, oldest first: verifying an older manifest needs its key. */
export function publicKeys(): Promise<PublicSigningKey[]> {
  return db().signingKey.findMany({
    select: { id: true, algorithm: true, publicKeyPem: true, active: true, createdAt: true },
    orderBy: { createdAt: "asc" },
  });
}

/** One published key by id, or null. */
export function publicKey(id: string): Promise<PublicSigningKey | null> {
  return db().signingKey.findUnique({
    where: { id },
    select: { id: true, algorithm: true, publicKeyPem: true, active: true, createdAt: true },
  });
}

/** The published keys as a JSON Web Key Set (RFC 8037 OKP keys). */
export async function signingKeySet(): Promise<{ keys: Jwk[] }> {
  const keys = await publicKeys();
  return {
    keys: keys
      .filter((key) => key.algorithm === signingAlgorithm)
      .map((key) => {
        const { x } = createPublicKey(key.publicKeyPem).export({ format: "jwk" });
        return { kty: "OKP", crv: "Ed25519", x: x!, kid: key.id, use: "sig", alg: "EdDSA" };
      }),
  };
}
