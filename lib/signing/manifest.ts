import { createPublicKey, sign, verify } from "node:crypto";
import canonicalize from "canonicalize";
import { z } from "zod";
import { db } from "@/lib/db/prisma";
import { NotFoundError } from "@/lib/errors";
import { activeSigningKey, publicKey, type SigningKeyPair, signingAlgorithm } from "./keys";

// What the catalog vouches for when it certifies a version, signed with Ed25519 over the RFC 8785
// canonical JSON so any host can check it with the published key and a JCS library.

const manifestSchemaId = "toolgate.manifest/v1";

export interface VersionManifest {
  schema: typeof manifestSchemaId;
  server: string;
  version: string;
  /** Sorted by name. */
  tools: { name: string; definitionHash: string }[];
  /**
   * The other definitions certification pins (decision 032), each sorted by its key; present only when the
   * version declares any, so the manifest of a tools-only version is what it was before they were signed.
   */
  resources?: { uri: string; definitionHash: string }[];
  resourceTemplates?: { uriTemplate: string; definitionHash: string }[];
  prompts?: { name: string; definitionHash: string }[];
  sbomDigest: string | null;
  /** Sorted by kind, then digest. */
  evidence: { kind: string; sha256: string }[];
  decision: {
    outcome: "certified";
    reviewer: string;
    /** ISO 8601. */
    decidedAt: string;
    riskTier: string;
    approvalTools: string[];
    waivers: string[];
  };
}

export interface ManifestInput {
  server: string;
  version: string;
  tools: readonly { name: string; definitionHash: string }[];
  /** Items recorded before hashes were kept (definitionHash null) are left out: their hash is unknown. */
  resources?: readonly { uri: string; definitionHash: string | null }[];
  resourceTemplates?: readonly { uriTemplate: string; definitionHash: string }[];
  prompts?: readonly { name: string; definitionHash: string | null }[];
  /** In the order they were added. */
  evidence: readonly { kind: string; sha256: string }[];
  /** The SBOM's SHA-256; when omitted, that of the last `sbom` evidence, or null without one. */
  sbomDigest?: string | null;
  reviewer: string;
  decidedAt: Date | string;
  riskTier: string;
  approvalTools: readonly string[];
  /** What was waived, e.g. the names of waived checks. */
  waivers?: readonly string[];
}

export interface VerificationResult {
  valid: boolean;
  reason: string;
}

// Code-point order, not locale order: the manifest must come out the same on every machine.
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The manifest of a version being certified, with every list in a fixed order. */
export function buildManifest(input: ManifestInput): VersionManifest {
  const sboms = input.evidence.filter((item) => item.kind === "sbom");
  return {
    schema: manifestSchemaId,
    server: input.server,
    version: input.version,
    tools: input.tools.map(({ name, definitionHash }) => ({ name, definitionHash })).sort((a, b) => byCodePoint(a.name, b.name)),
    ...hashedList("resources", input.resources, (item) => item.uri, (uri, definitionHash) => ({ uri, definitionHash })),
    ...hashedList("resourceTemplates", input.resourceTemplates, (item) => item.uriTemplate, (uriTemplate, definitionHash) => ({ uriTemplate, definitionHash })),
    ...hashedList("prompts", input.prompts, (item) => item.name, (name, definitionHash) => ({ name, definitionHash })),
    sbomDigest: input.sbomDigest !== undefined ? input.sbomDigest : (sboms.at(-1)?.sha256 ?? null),
    evidence: input.evidence
      .map(({ kind, sha256 }) => ({ kind, sha256 }))
      .sort((a, b) => byCodePoint(a.kind, b.kind) || byCodePoint(a.sha256, b.sha256)),
    decision: {
      outcome: "certified",
      reviewer: input.reviewer,
      decidedAt: new Date(input.decidedAt).toISOString(),
      riskTier: input.riskTier,
      approvalTools: [...new Set(input.approvalTools)].sort(byCodePoint),
      waivers: [...new Set(input.waivers ?? [])].sort(byCodePoint),
    },
  };
}

/** `{ [field]: list }` with the items of known hash sorted by key, or `{}` when there are none. */
function hashedList<F extends string, I extends { definitionHash: string | null }, O>(
  field: F,
  items: readonly I[] | undefined,
  keyOf: (item: I) => string,
  make: (key: string, definitionHash: string) => O,
): Partial<Record<F, O[]>> {
  const known = (items ?? []).filter((item) => item.definitionHash !== null).sort((a, b) => byCodePoint(keyOf(a), keyOf(b)));
  if (known.length === 0) return {};
  return { [field]: known.map((item) => make(keyOf(item), item.definitionHash!)) } as Partial<Record<F, O[]>>;
}

/** The bytes that are signed: the manifest's RFC 8785 (JCS) canonical JSON in UTF-8. */
export function canonicalManifestBytes(manifest: VersionManifest): Buffer {
  return Buffer.from(canonicalize(manifest)!, "utf8");
}

/** Signs with the active key (or the one given); the signature is base64url. */
export async function signManifest(manifest: VersionManifest, key?: SigningKeyPair): Promise<{ signature: string; keyId: string }> {
  const signingKey = key ?? (await activeSigningKey());
  const signature = sign(null, canonicalManifestBytes(manifest), signingKey.privateKey).toString("base64url");
  return { signature, keyId: signingKey.id };
}

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "must be a lowercase hex SHA-256");
const text = z.string().max(10_000);

// Strict: a field the schema does not name makes it a different document, not a v1 manifest.
const versionManifestSchema = z.strictObject({
  schema: z.literal(manifestSchemaId),
  server: text,
  version: text,
  tools: z.array(z.strictObject({ name: text, definitionHash: sha256Hex })).max(10_000),
  resources: z.array(z.strictObject({ uri: text, definitionHash: sha256Hex })).max(10_000).optional(),
  resourceTemplates: z.array(z.strictObject({ uriTemplate: text, definitionHash: sha256Hex })).max(10_000).optional(),
  prompts: z.array(z.strictObject({ name: text, definitionHash: sha256Hex })).max(10_000).optional(),
  sbomDigest: sha256Hex.nullable(),
  evidence: z.array(z.strictObject({ kind: text, sha256: sha256Hex })).max(10_000),
  decision: z.strictObject({
    outcome: z.literal("certified"),
    reviewer: text,
    decidedAt: z.iso.datetime(),
    riskTier: text,
    approvalTools: z.array(text).max(10_000),
    waivers: z.array(text).max(10_000),
  }),
}) satisfies z.ZodType<VersionManifest>;

const signaturePattern = /^[A-Za-z0-9_-]+={0,2}$/;
const keyIdPattern = /^[0-9a-f]{16}$/;
const ed25519SignatureBytes = 64;

function readManifest(manifest: unknown): VersionManifest | string {
  let value = manifest;
  if (typeof manifest === "string") {
    try {
      value = JSON.parse(manifest);
    } catch {
      return "The manifest is not valid JSON.";
    }
  }
  const parsed = versionManifestSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  return `The manifest is not a ${manifestSchemaId} manifest: ${issue.path.join(".") || "the document"} ${issue.message}.`;
}

/**
 * Checks a manifest (the object or its JSON text) against a signature and the published key it names.
 * Bad input of any kind is an invalid result with the reason, never an exception.
 */
export async function verifyManifest(manifest: unknown, signature: string, keyId: string): Promise<VerificationResult> {
  const read = readManifest(manifest);
  if (typeof read === "string") return { valid: false, reason: read };
  if (typeof signature !== "string" || !signaturePattern.test(signature.trim())) {
    return { valid: false, reason: "The signature is not base64url text." };
  }
  const signatureBytes = Buffer.from(signature.trim(), "base64url");
  if (signatureBytes.length !== ed25519SignatureBytes) {
    return { valid: false, reason: `The signature is ${signatureBytes.length} bytes; an Ed25519 signature is ${ed25519SignatureBytes}.` };
  }
  if (typeof keyId !== "string" || !keyIdPattern.test(keyId.trim())) {
    return { valid: false, reason: "The key id is not one the catalog issues (16 lowercase hex characters)." };
  }
  const key = await publicKey(keyId.trim());
  if (!key) return { valid: false, reason: `Unknown signing key ${keyId.trim()}: it is not among the keys this catalog publishes.` };
  if (key.algorithm !== signingAlgorithm) return { valid: false, reason: `Signing key ${key.id} is not an ${signingAlgorithm} key.` };
  const matches = verify(null, canonicalManifestBytes(read), createPublicKey(key.publicKeyPem), signatureBytes);
  if (!matches) return { valid: false, reason: `The signature does not match this manifest and key ${key.id}: one of them was altered.` };
  return { valid: true, reason: `Signed by key ${key.id}${key.active ? "" : " (an earlier key, no longer used for new manifests)"}.` };
}

/** Verifies what the catalog stored for a certified version, and returns it for display. */
export async function verifyVersionManifest(serverName: string, version: string) {
  const found = await db().serverVersion.findFirst({
    where: { version, server: { name: serverName } },
    select: { version: true, manifest: true, manifestSignature: true, signingKeyId: true, server: { select: { name: true } } },
  });
  if (!found) throw new NotFoundError(`There is no version ${version} of ${serverName} in this catalog.`);
  if (found.manifest === null || !found.manifestSignature || !found.signingKeyId) {
    throw new NotFoundError(`Version ${version} of ${serverName} has no signed manifest: it has not been certified.`);
  }
  const stored = { server: found.server.name, version: found.version, manifest: found.manifest, signature: found.manifestSignature, keyId: found.signingKeyId };
  const result = await verifyManifest(found.manifest, found.manifestSignature, found.signingKeyId);
  if (!result.valid) return { ...stored, ...result };
  // A valid signature over another version's manifest would still be the wrong manifest.
  const manifest = found.manifest as unknown as VersionManifest;
  if (manifest.server !== found.server.name || manifest.version !== found.version) {
    return { ...stored, valid: false, reason: `The stored manifest is for ${manifest.server} ${manifest.version}, not this version.` };
  }
  return { ...stored, ...result };
}
