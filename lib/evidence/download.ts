import { z } from "zod";

// The response headers of an evidence file download. Evidence never changes once stored, so its
// SHA-256 serves as a strong ETag and as the representation digest a client can check.

export const evidenceIdParams = z.object({ id: z.uuid({ error: "Evidence ids are UUIDs." }) });

export interface DownloadFile {
  fileName: string;
  mediaType: string | null;
  /** Hex SHA-256 of the content, as stored. */
  sha256: string;
  size: number;
}

// RFC 5987 attr-char is narrower than what encodeURIComponent leaves alone: ' ( ) * must be encoded too.
const encodeExtValue = (value: string) =>
  encodeURIComponent(value).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * `attachment` with an ASCII `filename` for old clients and a UTF-8 `filename*` (RFC 6266 §4.3):
 * the quoted fallback drops anything outside printable ASCII, quotes, backslashes and percent signs
 * (which some browsers would decode), so no stored name can break out of the header.
 */
export function contentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\%]/g, "_") || "download";
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeExtValue(fileName)}`;
}

export function etagOf(sha256: string): string {
  return `"${sha256}"`;
}

/** Whether an If-None-Match header names this ETag (or is "*"), so the client's copy is current. */
export function notModified(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(",").some((candidate) => {
    const tag = candidate.trim();
    return tag === "*" || tag === etag || tag === `W/${etag}`;
  });
}

export function downloadHeaders(file: DownloadFile): Record<string, string> {
  const base64 = Buffer.from(file.sha256, "hex").toString("base64");
  return {
    "Content-Type": file.mediaType || "application/octet-stream",
    "Content-Length": String(file.size),
    "Content-Disposition": contentDisposition(file.fileName),
    "X-Content-Type-Options": "nosniff",
    // Uploaded content is never to run as part of this site, even if a browser were to render it.
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "private, no-cache",
    ETag: etagOf(file.sha256),
    // RFC 9530 names the digest Repr-Digest, as a structured field; Digest is the older RFC 3230 header
    // some clients still read, with the same base64 value in its own syntax.
    "Repr-Digest": `sha-256=:${base64}:`,
    Digest: `sha-256=${base64}`,
  };
}
