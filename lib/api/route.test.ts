import { describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import { isJsonMediaType, jsonBody } from "./route";

const post = (contentType: string | undefined, body = '{"name":"com.example/crm"}') =>
  new Request("http://localhost/api/v1/servers", { method: "POST", headers: contentType ? { "content-type": contentType } : {}, body });

describe("JSON bodies", () => {
  it("are read when the media type is exactly application/json", async () => {
    for (const type of ["application/json", "application/json; charset=utf-8", "Application/JSON"]) {
      expect(isJsonMediaType(type)).toBe(true);
      expect(await jsonBody(post(type))).toEqual({ name: "com.example/crm" });
    }
  });

  it("are refused over 1 MB, by the declared length before the body is read", async () => {
    const body = JSON.stringify({ pad: "x".repeat(1024 * 1024) });
    await expect(jsonBody(post("application/json", body))).rejects.toThrow("The request body must be at most 1 MB.");
    const declared = new Request("http://localhost/api/v1/servers", { method: "POST", headers: { "content-type": "application/json", "content-length": String(50 * 1024 * 1024) }, body: "{}" });
    await expect(jsonBody(declared)).rejects.toThrow("The request body must be at most 1 MB.");
    expect(declared.bodyUsed).toBe(false);
  });

  it("are refused under a type a cross-site page may send without asking, even one that mentions JSON", async () => {
    for (const type of ["text/plain; charset=application/json", "text/plain", "application/x-www-form-urlencoded; a=application/json", "multipart/form-data; boundary=application/json", "application/jsonp", undefined]) {
      expect(isJsonMediaType(type ?? null)).toBe(false);
      await expect(jsonBody(post(type))).rejects.toThrow(ValidationError);
    }
  });
});
