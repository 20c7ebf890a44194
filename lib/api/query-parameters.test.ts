import { describe, expect, it } from "vitest";
import { catalogQuery, versionParams } from "@/lib/api/catalog-contract";
import { exportAuditTrail } from "@/lib/audit-trail/export";
import { parseAuditFilters } from "@/lib/audit-trail/filters";
import { searchAuditEvents } from "@/lib/audit-trail/query";
import { searchCatalog } from "@/lib/catalog/search";
import { likeLiteral } from "@/lib/db/like";
import { ValidationError } from "@/lib/errors";
import { parseListQuery } from "@/lib/registry/params";
import { historyFilters, toolCallRequestHistory } from "@/lib/tool-approvals/inbox";
import { parseInput } from "@/lib/validation";
import { makeUser } from "@/test/factories";

// Every parser of query parameters refuses characters PostgreSQL cannot store or compare (NUL) and
// those that mislead a reader (other controls, bidi overrides) with a 400 that says so, instead of
// letting them reach the database and answer 500.
const unsafe = ["\u0000", "a\u0000b", "\u202eexe.txt", "x\u0007", "\ud800"];

describe("query parameters with unsafe characters", () => {
  it("are refused by the catalog API's search and version parameters", async () => {
    for (const text of unsafe) {
      const search = (async () => searchCatalog(parseInput(catalogQuery, { q: text })))();
      await expect(search).rejects.toThrow(ValidationError);
      await expect(search).rejects.toThrow(/control or bidirectional-override characters/);
      expect(() => parseInput(versionParams, { id: "0b7c6a1e-2f1d-4b7a-9d6e-1f2a3b4c5d6e", version: `1.0.0${text}` })).toThrow(ValidationError);
    }
  });

  it("are refused by every audit filter, on the page and in the export", async () => {
    const admin = await makeUser(["admin"]);
    for (const text of unsafe) {
      for (const key of ["q", "actor", "target", "action"]) {
        const value = key === "target" ? `server:${text}` : key === "action" ? `user.create${text}` : text;
        expect(() => parseAuditFilters({ [key]: value }), `${key}=${JSON.stringify(value)}`).toThrow(ValidationError);
      }
      await expect(exportAuditTrail(admin, { q: text, format: "csv" })).rejects.toThrow(ValidationError);
    }
  });

  it("are refused by the approvals history filters and the registry's search", async () => {
    for (const text of unsafe) {
      await expect((async () => toolCallRequestHistory({ agent: text }))()).rejects.toThrow(ValidationError);
      await expect((async () => toolCallRequestHistory({ server: text }))()).rejects.toThrow(ValidationError);
      // The approvals page parses them itself, to say why instead of failing the page.
      expect(historyFilters.safeParse({ server: text }).error?.issues[0]?.message).toMatch(/The server filter must not contain control or bidirectional-override characters/);
      expect(() => parseListQuery({ search: text })).toThrow(ValidationError);
    }
  });

  it("are refused wherever a filter becomes a LIKE pattern, whichever parser let them through", async () => {
    for (const text of unsafe) expect(() => likeLiteral(text)).toThrow(ValidationError);
    await expect(searchAuditEvents({ q: "\u0000" })).rejects.toThrow(ValidationError);
  });
});
