import { describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret, secretHint } from "./secret-box";

describe("secret box", () => {
  it("round-trips and never stores the plaintext", () => {
    const sealed = encryptSecret("Bearer s3cr3t-token-value");
    expect(sealed).not.toContain("s3cr3t");
    expect(decryptSecret(sealed)).toBe("Bearer s3cr3t-token-value");
  });

  it("uses a fresh nonce each time", () => {
    expect(encryptSecret("same")).not.toBe(encryptSecret("same"));
  });

  it("refuses a tampered ciphertext", () => {
    const sealed = encryptSecret("Bearer token");
    const last = sealed.at(-1) === "A" ? "B" : "A";
    expect(() => decryptSecret(sealed.slice(0, -1) + last)).toThrow();
  });

  it("hints at no more than the last four characters", () => {
    expect(secretHint("Bearer abcdefgh1234")).toBe("••••1234");
    expect(secretHint("short")).toBe("••••");
  });
});
