import { describe, expect, it, vi } from "vitest";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { apiRoute, isJsonMediaType, jsonBody, personRoute } from "./route";

// The signed-in person, without a session cookie: a reviewer.
vi.mock("@/lib/auth/session", () => ({
  requireActor: async () => ({ id: "00000000-0000-4000-8000-000000000002", email: "reviewer@example.com", name: "R", roles: ["reviewer"] }),
}));

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

describe("a route's declared permission", () => {
  const context = { params: Promise.resolve({}) };
  const get = () => new Request("http://localhost/api/v1/servers");

  it("is checked before the handler runs, and a refusal is a 403 that says which role is needed", async () => {
    let ran = false;
    const route = apiRoute(async () => (ran = true), { permission: "users.create" });
    const response = await route(get(), context);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: "You are not allowed to create users: this needs the role administrator." });
    expect(ran).toBe(false);
  });

  it("lets the handler answer when the person holds it", async () => {
    const response = await apiRoute(async () => ({ ok: true }), { permission: "catalog.view", status: 202 })(get(), context);
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ ok: true });
  });
});

describe("a route that answers with a file or a stream", () => {
  const context = { params: Promise.resolve({ id: "e1" }) };
  const get = () => new Request("http://localhost/api/v1/evidence/e1");

  it("answers with the handler's own response, given the signed-in actor and the route's params", async () => {
    const route = personRoute(async (actor, _request, params) => new Response(`${actor.email} ${String(params.id)}`, { headers: { "content-type": "text/plain" } }));
    const response = await route(get(), context);
    expect(response.headers.get("content-type")).toBe("text/plain");
    expect(await response.text()).toBe("reviewer@example.com e1");
  });

  it("turns a domain error into the usual JSON body with its status and code", async () => {
    const response = await personRoute(async () => {
      throw new NotFoundError("Evidence not found.");
    })(get(), context);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: "Evidence not found." });
  });

  it("refuses, before the handler runs, a person without the declared permission", async () => {
    let ran = false;
    const response = await personRoute(async () => ((ran = true), new Response("file")), { permission: "users.create" })(get(), context);
    expect(response.status).toBe(403);
    expect(ran).toBe(false);
  });
});
