// Next.js buffers a server action's whole body before the action runs, up to serverActions.bodySizeLimit,
// which is one setting for every action and must leave room for evidence uploads (next.config.ts). So
// the proxy refuses, by the declared length and before anything reads the body, whatever is larger than
// the request can need: evidence uploads by signed-in people may be large, nothing else is. A body
// without a declared length (chunked) would escape that, so it is refused too; browsers always declare it.

const megabyte = 1024 * 1024;

/** Every request but an evidence upload: JSON bodies (1 MB), forms, a pasted manifest (1 MB), with framing. */
export const defaultBodyLimitBytes = 2 * megabyte;
/** An evidence upload: the upload policy's ceiling (50 MiB) and the multipart framing; next.config.ts matches it. */
export const evidenceUploadLimitBytes = 51 * megabyte;

// The Evidence tab's "Add evidence" form posts its server action to the entry's page.
const evidenceUploadPage = /^\/catalog\/[^/]+$/;

export interface BodyRefusal {
  status: 411 | 413;
  message: string;
}

/** Why a request's body is refused by its size, or null. */
export function bodyLimitRefusal(pathname: string, headers: Headers, signedIn: boolean): BodyRefusal | null {
  const declared = headers.get("content-length");
  if (declared === null) {
    return headers.has("transfer-encoding") ? { status: 411, message: "Send the body with a Content-Length." } : null;
  }
  const uploads = signedIn && headers.has("next-action") && evidenceUploadPage.test(pathname);
  const limit = uploads ? evidenceUploadLimitBytes : defaultBodyLimitBytes;
  const bytes = Number(declared);
  if (!Number.isSafeInteger(bytes) || bytes < 0) return { status: 411, message: "The Content-Length is not a number of bytes." };
  return bytes > limit ? { status: 413, message: `The request body must be at most ${limit / megabyte} MB.` } : null;
}
