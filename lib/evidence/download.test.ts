import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { contentDisposition, downloadHeaders, etagOf, evidenceIdParams, notModified } from "./download";

const content = Buffer.from('{"bomFormat":"CycloneDX"}');
const sha256 = createHash("sha256").update(content).digest("hex");
const file = { fileName: "bom.json", mediaType: "application/json", sha256, size: content.length };

describe("downloadHeaders", () => {
  it("sends the file as an attachment of its stored type, with its digest", () => {
    const headers = downloadHeaders(file);
    const base64 = createHash("sha256").update(content).digest("base64");
    expect(headers).toMatchObject({
      "Content-Type": "application/json",
      "Content-Length": String(content.length),
      "Content-Disposition": `attachment; filename="bom.json"; filename*=UTF-8''bom.json`,
      "X-Content-Type-Options": "nosniff",
      ETag: `"${sha256}"`,
      "Repr-Digest": `sha-256=:${base64}:`,
      Digest: `sha-256=${base64}`,
    });
    expect(() => new Headers(headers)).not.toThrow();
  });

  it("falls back to application/octet-stream without a stored type", () => {
    expect(downloadHeaders({ ...file, mediaType: null })["Content-Type"]).toBe("application/octet-stream");
    expect(downloadHeaders({ ...file, mediaType: "" })["Content-Type"]).toBe("application/octet-stream");
  });
});

describe("contentDisposition", () => {
  it("keeps a non-ASCII name in filename* and gives old clients an ASCII one", () => {
    expect(contentDisposition("Prüfbericht 2026.pdf")).toBe(`attachment; filename="Pr_fbericht 2026.pdf"; filename*=UTF-8''Pr%C3%BCfbericht%202026.pdf`);
    expect(contentDisposition("報告.pdf")).toBe(`attachment; filename="__.pdf"; filename*=UTF-8''%E5%A0%B1%E5%91%8A.pdf`);
  });

  it("lets no quote, backslash, percent sign or line break out of the header", () => {
    const header = contentDisposition('a"b\\c%41\r\nSet-Cookie: x=1 (1)*\'.txt');
    expect(header).toMatch(/^attachment; filename="a_b_c_41__Set-Cookie: x=1 \(1\)\*'\.txt"; filename\*=UTF-8''/);
    expect(header).not.toMatch(/[\r\n]/);
    expect(header.split("filename*=UTF-8''")[1]).toMatch(/^[A-Za-z0-9!#$&+.^_`|~%-]+$/);
    expect(() => new Headers({ "Content-Disposition": header })).not.toThrow();
  });
});

describe("notModified", () => {
  const etag = etagOf(sha256);
  it.each([
    [null, false],
    ['"other"', false],
    [etag, true],
    [`"other", ${etag}`, true],
    [`W/${etag}`, true],
    ["*", true],
  ])("If-None-Match %s → %s", (header, expected) => {
    expect(notModified(header, etag)).toBe(expected);
  });
});

describe("evidenceIdParams", () => {
  it("accepts a UUID and refuses anything else", () => {
    expect(evidenceIdParams.safeParse({ id: "0b5f4f1e-3b8a-4f0e-9a51-9d2f3c1b7a10" }).success).toBe(true);
    expect(evidenceIdParams.safeParse({ id: "../etc/passwd" }).success).toBe(false);
  });
});
