import { describe, expect, it, vi } from "vitest";
import { ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError } from "@/lib/errors";
import { IntrospectionError } from "@/lib/mcp/introspect";
import { errorResponse } from "./http";

describe("errorResponse", () => {
  it("answers a domain error with its message, status and machine-readable code", async () => {
    const cases = [
      [new ValidationError("Name is required."), 400, "bad_request"],
      [new UnauthenticatedError(), 401, "unauthorized"],
      [new ForbiddenError("Not yours."), 403, "forbidden"],
      [new NotFoundError("No such entry."), 404, "not_found"],
      [new ConflictError("The name is taken."), 409, "conflict"],
      [new IntrospectionError("The server did not answer."), 422, "unprocessable_entity"],
    ] as const;
    for (const [error, status, code] of cases) {
      const response = errorResponse(error);
      expect(response.status, code).toBe(status);
      expect(await response.json()).toEqual({ error: error.message, code });
    }
  });

  it("answers anything else with a bare 500 that leaks nothing", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const response = errorResponse(new Error("connection string postgres://secret"));
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: "Internal error; the incident was logged.", code: "internal_server_error" });
    logged.mockRestore();
  });
});
