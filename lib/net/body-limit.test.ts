import { describe, expect, it } from "vitest";
import { bodyLimitRefusal, defaultBodyLimitBytes, evidenceUploadLimitBytes } from "./body-limit";

const headers = (values: Record<string, string>) => new Headers(values);

describe("request body limits", () => {
  it("refuses a 50 MB post to a public page's server action by its declared length", () => {
    const refusal = bodyLimitRefusal("/verify", headers({ "content-length": String(50 * 1024 * 1024), "next-action": "abc" }), false);
    expect(refusal).toEqual({ status: 413, message: "The request body must be at most 2 MB." });
    expect(bodyLimitRefusal("/verify", headers({ "content-length": String(defaultBodyLimitBytes), "next-action": "abc" }), false)).toBeNull();
  });

  it("allows large bodies only for a signed-in person's evidence upload", () => {
    const upload = headers({ "content-length": String(40 * 1024 * 1024), "next-action": "abc" });
    expect(bodyLimitRefusal("/catalog/0b7c6a1e-2f1d-4b7a-9d6e-1f2a3b4c5d6e", upload, true)).toBeNull();
    expect(bodyLimitRefusal("/catalog/0b7c6a1e-2f1d-4b7a-9d6e-1f2a3b4c5d6e", upload, false)?.status).toBe(413);
    expect(bodyLimitRefusal("/catalog/new", headers({ "content-length": String(40 * 1024 * 1024) }), true)?.status).toBe(413);
    expect(bodyLimitRefusal("/api/v1/servers", upload, true)?.status).toBe(413);
    expect(bodyLimitRefusal("/catalog/x", headers({ "content-length": String(evidenceUploadLimitBytes + 1), "next-action": "abc" }), true)?.status).toBe(413);
  });

  it("refuses bodies without a declared length, and lengths that are not numbers", () => {
    expect(bodyLimitRefusal("/verify", headers({ "transfer-encoding": "chunked" }), false)?.status).toBe(411);
    expect(bodyLimitRefusal("/verify", headers({ "content-length": "-1" }), false)?.status).toBe(411);
    expect(bodyLimitRefusal("/verify", headers({}), false)).toBeNull();
  });
});
