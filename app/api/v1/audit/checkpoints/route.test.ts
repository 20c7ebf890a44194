import { createPublicKey, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { recordAudit, systemActor } from "@/lib/audit/record";
import { signAuditCheckpoint } from "@/lib/audit-trail/head-checkpoint";
import { db } from "@/lib/db/prisma";
import { GET } from "./route";

const get = (query = "") => GET(new Request(`http://localhost/api/v1/audit/checkpoints${query}`));

async function checkpointAfterEvent(n: number) {
  await recordAudit(db(), { actor: systemActor, action: "audit.export", target: { type: "audit" }, outcome: "success", correlationId: `route-${n}` });
  const result = await signAuditCheckpoint();
  if (!result.signed) throw new Error(result.reason);
}

describe("GET /api/v1/audit/checkpoints", () => {
  it("lists checkpoints newest first with the signed statement and the key, verifiable by anyone, page by page", async () => {
    for (let n = 1; n <= 3; n++) await checkpointAfterEvent(n);
    const response = await get("?limit=2");
    expect(response.status).toBe(200);
    const page = await response.json();
    expect(page.checkpoints.map((c: { seq: string }) => c.seq)).toEqual(["3", "2"]);
    for (const checkpoint of page.checkpoints) {
      const key = page.keys.find((k: { id: string }) => k.id === checkpoint.keyId);
      expect(verify(null, Buffer.from(checkpoint.statement), createPublicKey(key.publicKeyPem), Buffer.from(checkpoint.signature, "base64url"))).toBe(true);
      expect(JSON.parse(checkpoint.statement)).toMatchObject({ kind: "head", seq: checkpoint.seq, hash: checkpoint.hash });
    }
    const older = await (await get(`?limit=2&before=${page.next}`)).json();
    expect(older.checkpoints.map((c: { seq: string }) => c.seq)).toEqual(["1"]);
    expect(older.next).toBeNull();
    expect((await (await get("?kind=pruned")).json()).checkpoints).toEqual([]);
  });

  it("refuses query parameters of the wrong type or size with 400", async () => {
    for (const query of ["?limit=0", "?limit=201", "?limit=abc", "?limit=1.5", `?limit=${"9".repeat(400)}`, "?before=-1", "?before=0", `?before=${"1".repeat(40)}`, "?before=1%00", "?kind=tail", `?kind=${"h".repeat(10_000)}`]) {
      const response = await get(query);
      expect(response.status, query).toBe(400);
      expect(await response.json(), query).toEqual({ error: expect.any(String), code: expect.any(String) });
    }
  });
});
