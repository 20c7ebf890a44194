import { createHash, createPublicKey, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { buildManifest, canonicalManifestBytes, signManifest } from "@/lib/signing/manifest";
import { GET as signingKeys } from "@/app/.well-known/toolgate-signing-keys/route";
import { POST } from "./route";

const manifest = buildManifest({
  server: "com.example/api",
  version: "1.0.0",
  tools: [{ name: "ping", definitionHash: createHash("sha256").update("ping").digest("hex") }],
  evidence: [],
  reviewer: "reviewer@example.com",
  decidedAt: "2026-11-24T10:00:00Z",
  riskTier: "low",
  approvalTools: [],
});

const post = (body: string, contentType = "application/json") =>
  POST(new Request("http://localhost/api/v1/manifests/verify", { method: "POST", headers: { "content-type": contentType }, body }));

describe("POST /api/v1/manifests/verify", () => {
  it("answers valid for a signed manifest and invalid, with the reason, for a changed one", async () => {
    const { signature, keyId } = await signManifest(manifest);
    const ok = await post(JSON.stringify({ manifest, signature, keyId }));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ valid: true, reason: expect.stringContaining(keyId) });
    const changed = await post(JSON.stringify({ manifest: { ...manifest, version: "1.0.1" }, signature, keyId }));
    expect(changed.status).toBe(200);
    expect(await changed.json()).toEqual({ valid: false, reason: expect.stringMatching(/does not match/) });
  });

  it("refuses bodies that are not JSON, too large or missing fields with 400", async () => {
    const { signature, keyId } = await signManifest(manifest);
    const refusals = [
      await post("{not json"),
      await post(JSON.stringify({ manifest, signature, keyId }), "text/plain"),
      await post(JSON.stringify({ manifest: "x".repeat(1024 * 1024), signature, keyId })),
      await post(JSON.stringify({ signature, keyId })),
      await post(JSON.stringify({ manifest, signature: 42, keyId })),
      await post(JSON.stringify({ manifest })),
    ];
    for (const response of refusals) {
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: expect.any(String), code: "bad_request" });
    }
  });
});

describe("GET /.well-known/toolgate-signing-keys", () => {
  it("publishes the keys as a JWKS a host can verify signatures with", async () => {
    const { signature, keyId } = await signManifest(manifest);
    const response = await signingKeys();
    expect(response.status).toBe(200);
    const { keys } = (await response.json()) as { keys: { kid: string; x: string }[] };
    const key = keys.find((k) => k.kid === keyId)!;
    expect(key).toEqual({ kty: "OKP", crv: "Ed25519", x: expect.any(String), kid: keyId, use: "sig", alg: "EdDSA" });
    const publicKey = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: key.x }, format: "jwk" });
    expect(verify(null, canonicalManifestBytes(manifest), publicKey, Buffer.from(signature, "base64url"))).toBe(true);
  });
});
