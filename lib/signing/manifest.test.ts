import { createHash, createPublicKey, generateKeyPairSync, verify } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { NotFoundError } from "@/lib/errors";
import { makeServer } from "@/test/factories";
import { activeSigningKey, ensureSigningKey, keyIdOf, publicKeys, signingKeySet } from "./keys";
import { buildManifest, canonicalManifestBytes, signManifest, type VersionManifest, verifyManifest, verifyVersionManifest } from "./manifest";

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

function sampleManifest(overrides: Partial<Parameters<typeof buildManifest>[0]> = {}): VersionManifest {
  return buildManifest({
    server: "com.example/records",
    version: "1.2.0",
    tools: [
      { name: "read_record", definitionHash: sha("read") },
      { name: "delete_record", definitionHash: sha("delete") },
    ],
    evidence: [
      { kind: "security_scan", sha256: sha("scan") },
      { kind: "sbom", sha256: sha("sbom") },
      { kind: "eval_result", sha256: sha("eval") },
    ],
    reviewer: "reviewer@example.com",
    decidedAt: new Date("2026-11-24T10:00:00Z"),
    riskTier: "high",
    approvalTools: ["delete_record"],
    waivers: [],
    ...overrides,
  });
}

const ed25519Pem = () => generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();

let savedEnvKey: string | undefined;
beforeEach(() => {
  savedEnvKey = process.env.TOOLGATE_SIGNING_KEY;
  delete process.env.TOOLGATE_SIGNING_KEY;
});
afterEach(() => {
  if (savedEnvKey === undefined) delete process.env.TOOLGATE_SIGNING_KEY;
  else process.env.TOOLGATE_SIGNING_KEY = savedEnvKey;
});

// The tests share this file's database and run in order: first the generated key, then the environment's.
describe("the signing key", () => {
  it("is generated once, even by callers racing on an empty table, stored encrypted and reused", async () => {
    const racing = await Promise.all([activeSigningKey(), activeSigningKey(), ensureSigningKey()]);
    expect(new Set(racing.map((key) => key.id)).size).toBe(1);
    const again = await activeSigningKey();
    expect(again.id).toBe(racing[0].id);
    expect(again.id).toBe(keyIdOf(createPublicKey(again.publicKeyPem)));
    expect(again.id).toMatch(/^[0-9a-f]{16}$/);
    expect(await ensureSigningKey()).toMatchObject({ id: again.id, source: "database" });

    const stored = await db().signingKey.findMany();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ id: again.id, algorithm: "Ed25519", active: true });
    expect(stored[0]!.privateKeyCiphertext).toMatch(/^v1\./);
    expect(stored[0]!.privateKeyCiphertext).not.toContain("PRIVATE KEY");
  });

  it("is published as a JSON Web Key Set a host can verify with", async () => {
    const key = await activeSigningKey();
    const { keys } = await signingKeySet();
    expect(keys).toEqual([{ kty: "OKP", crv: "Ed25519", x: expect.any(String), kid: key.id, use: "sig", alg: "EdDSA" }]);
    const manifest = sampleManifest();
    const { signature } = await signManifest(manifest);
    const hostKey = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: keys[0]!.x }, format: "jwk" });
    expect(verify(null, canonicalManifestBytes(manifest), hostKey, Buffer.from(signature, "base64url"))).toBe(true);
  });
});

describe("manifests", () => {
  it("are built in a fixed order whatever order the input comes in", () => {
    const manifest = sampleManifest({ approvalTools: ["b", "a", "b"], waivers: ["safety"] });
    expect(manifest.tools.map((t) => t.name)).toEqual(["delete_record", "read_record"]);
    expect(manifest.evidence.map((e) => e.kind)).toEqual(["eval_result", "sbom", "security_scan"]);
    expect(manifest.sbomDigest).toBe(sha("sbom"));
    expect(manifest.decision).toEqual({
      outcome: "certified",
      reviewer: "reviewer@example.com",
      decidedAt: "2026-11-24T10:00:00.000Z",
      riskTier: "high",
      approvalTools: ["a", "b"],
      waivers: ["safety"],
    });
    const reordered = sampleManifest({ tools: [...manifest.tools].reverse(), evidence: [...manifest.evidence].reverse() });
    expect(canonicalManifestBytes(reordered).equals(canonicalManifestBytes(sampleManifest()))).toBe(true);
    expect(sampleManifest({ evidence: [] }).sbomDigest).toBeNull();
  });

  it("verify when signed, as an object or as JSON text in any key order", async () => {
    const manifest = sampleManifest();
    const { signature, keyId } = await signManifest(manifest);
    expect(signature).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(await verifyManifest(manifest, signature, keyId)).toEqual({ valid: true, reason: expect.stringContaining(keyId) });
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(manifest).reverse()), null, 2);
    expect((await verifyManifest(reordered, signature, keyId)).valid).toBe(true);
  });

  it("fail verification when any single byte of the canonical manifest changes", async () => {
    const manifest = sampleManifest();
    const { signature, keyId } = await signManifest(manifest);
    const canonical = canonicalManifestBytes(manifest);
    const text = canonical.toString("utf8");
    // Changing one hex digit of a definition hash into another keeps the manifest well-formed,
    // so only the signature can catch it.
    const hash = manifest.tools[0]!.definitionHash;
    const digitInHash = text.indexOf(hash) + [...hash].findIndex((c) => /[0-8]/.test(c));
    const hashPositions = [digitInHash, text.indexOf(hash), text.indexOf(hash) + 63];
    for (const position of [...Array(canonical.length).keys(), ...hashPositions]) {
      const flipped = Buffer.from(canonical);
      flipped[position]! ^= 0x01;
      const result = await verifyManifest(flipped.toString("utf8"), signature, keyId);
      expect(result.valid, `byte ${position} (${text[position]}) flipped`).toBe(false);
      expect(result.reason).not.toBe("");
    }
    const wellFormed = Buffer.from(canonical);
    wellFormed[digitInHash]! ^= 0x01;
    expect((await verifyManifest(wellFormed.toString("utf8"), signature, keyId)).reason).toMatch(/signature does not match/);
  });

  it("fail verification with an unknown or malformed key id", async () => {
    const manifest = sampleManifest();
    const { signature, keyId } = await signManifest(manifest);
    const unknown = keyId.replace(/^./, (c) => (c === "0" ? "1" : "0"));
    expect(await verifyManifest(manifest, signature, unknown)).toEqual({ valid: false, reason: expect.stringMatching(/Unknown signing key/) });
    expect(await verifyManifest(manifest, signature, "not a key")).toEqual({ valid: false, reason: expect.stringMatching(/key id/) });
    expect((await verifyManifest(manifest, signature, "")).valid).toBe(false);
  });

  it("fail verification, without throwing, for malformed input of any kind", async () => {
    const manifest = sampleManifest();
    const { signature, keyId } = await signManifest(manifest);
    const badManifests: unknown[] = [
      undefined,
      null,
      42,
      [],
      "{not json",
      "",
      {},
      { ...manifest, schema: "toolgate.manifest/v2" },
      { ...manifest, extra: true },
      { ...manifest, tools: [{ name: "x", definitionHash: "zz" }] },
      { ...manifest, decision: { ...manifest.decision, decidedAt: "yesterday" } },
      JSON.stringify(manifest).replace("{", '{"__proto__":{"polluted":true},'),
    ];
    for (const bad of badManifests) {
      const result = await verifyManifest(bad, signature, keyId);
      expect(result.valid, JSON.stringify(bad)).toBe(false);
      expect(result.reason).toMatch(/manifest/);
    }
    for (const badSignature of ["", "!!!!", "a b", signature.slice(0, 40), `${signature}AAAA`, 12 as unknown as string]) {
      expect((await verifyManifest(manifest, badSignature, keyId)).valid).toBe(false);
    }
    expect((await verifyManifest(manifest, signature, null as unknown as string)).valid).toBe(false);
    const otherSignature = (await signManifest(sampleManifest({ version: "9.9.9" }))).signature;
    expect(await verifyManifest(manifest, otherSignature, keyId)).toEqual({ valid: false, reason: expect.stringMatching(/does not match/) });
  });
});

describe("a key from TOOLGATE_SIGNING_KEY", () => {
  it("signs new manifests, is stored without its private half, and older manifests still verify", async () => {
    const older = sampleManifest({ version: "1.0.0" });
    const olderSigned = await signManifest(older);

    const pem = ed25519Pem();
    process.env.TOOLGATE_SIGNING_KEY = pem.replace(/\n/g, "\\n"); // as an env file often carries it
    const envKey = await activeSigningKey();
    expect(envKey.id).toBe(keyIdOf(createPublicKey(pem)));
    expect(envKey.id).not.toBe(olderSigned.keyId);
    expect((await ensureSigningKey()).source).toBe("environment");
    const stored = await db().signingKey.findUniqueOrThrow({ where: { id: envKey.id } });
    expect(stored).toMatchObject({ active: true, privateKeyCiphertext: null });
    expect((await db().signingKey.findUniqueOrThrow({ where: { id: olderSigned.keyId } })).active).toBe(false);

    const newer = sampleManifest({ version: "2.0.0" });
    const newerSigned = await signManifest(newer);
    expect(newerSigned.keyId).toBe(envKey.id);
    expect((await verifyManifest(newer, newerSigned.signature, envKey.id)).valid).toBe(true);
    expect(await verifyManifest(older, olderSigned.signature, olderSigned.keyId)).toEqual({ valid: true, reason: expect.stringMatching(/earlier key/) });
    // The right signature under the wrong (but published) key.
    expect(await verifyManifest(older, olderSigned.signature, envKey.id)).toMatchObject({ valid: false });
    expect((await signingKeySet()).keys.map((k) => k.kid)).toEqual(expect.arrayContaining([olderSigned.keyId, envKey.id]));
    expect((await publicKeys()).filter((k) => k.active).map((k) => k.id)).toEqual([envKey.id]);
  });

  it("stops with a clear error when it is not an Ed25519 PKCS#8 key", async () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const sec1 = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "sec1", format: "pem" }).toString();
    const mangled = ed25519Pem().replace(/[A-Za-z0-9+/]{20}\n/, "AAAA\n");
    for (const [value, message] of [
      [rsa, /Ed25519.*rsa key/],
      [sec1, /PKCS#8.*header/],
      ["not a key at all", /PKCS#8/],
      [mangled, /could not be read/],
    ] as const) {
      process.env.TOOLGATE_SIGNING_KEY = value;
      await expect(activeSigningKey(), value.slice(0, 40)).rejects.toThrow(message);
    }
  });

  it("once removed, gives way to a newly generated stored key", async () => {
    const previous = (await publicKeys()).find((k) => k.active)!;
    const key = await ensureSigningKey();
    expect(key.source).toBe("generated");
    expect(key.id).not.toBe(previous.id);
    expect((await publicKeys()).filter((k) => k.active).map((k) => k.id)).toEqual([key.id]);
  });
});

describe("verifying a stored version's manifest", () => {
  it("verifies the manifest and signature stored with a certified version", async () => {
    const server = await makeServer({ name: "com.example/stored", versions: [{ version: "1.0.0" }, { version: "2.0.0" }] });
    await expect(verifyVersionManifest(server.name, "2.0.0")).rejects.toThrow(/not been certified/);
    await expect(verifyVersionManifest(server.name, "3.0.0")).rejects.toThrow(NotFoundError);
    await expect(verifyVersionManifest("com.example/none", "1.0.0")).rejects.toThrow(NotFoundError);

    const manifest = sampleManifest({ server: server.name, version: "1.0.0" });
    const { signature, keyId } = await signManifest(manifest);
    await db().serverVersion.update({
      where: { id: server.versionIds[0]! },
      data: { status: "certified", certifiedAt: new Date(), manifest: manifest as object, manifestSignature: signature, signingKeyId: keyId },
    });
    expect(await verifyVersionManifest(server.name, "1.0.0")).toMatchObject({ valid: true, manifest, signature, keyId, server: server.name, version: "1.0.0" });
  });
});
