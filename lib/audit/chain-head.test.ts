import pg from "pg";
import { describe, expect, it } from "vitest";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/prisma";
import type { AuditAction } from "./actions";
import { verifyAuditChain } from "./chain";
import { recordAudit, recordAuditBatch, recordAuditBatchOn } from "./record";

// Decision 041: the chain head moves once per statement, not once per event; the chain itself is unchanged.

const event = (action: string) => ({ actor: { id: null, label: "system" }, action: action as AuditAction, target: { type: "x" }, outcome: "success" as const, correlationId: `c-${action}` });

describe("the audit chain head, moved once per statement", () => {
  it("is updated once for a batch of 200 events, and the batch is chained like single events", async () => {
    const updates = await db().$transaction(async (tx) => {
      await recordAuditBatch(tx, Array.from({ length: 200 }, (_, i) => event(`head.batch-${i}`)));
      const [row] = await tx.$queryRaw<{ n_tup_upd: bigint }[]>`SELECT n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = 'audit_chain_head'`;
      return Number(row!.n_tup_upd);
    });
    expect(updates).toBe(1);
    const head = await db().auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
    const last = await db().auditEvent.findFirstOrThrow({ orderBy: { chainSeq: "desc" } });
    expect(head).toMatchObject({ seq: 200n, hash: last.hash });
    expect(await verifyAuditChain()).toEqual({ intact: true, checked: 200 });
  });

  it("chains several statements of one transaction in order, then single events after it", async () => {
    await db().$transaction(async (tx) => {
      await recordAudit(tx, event("head.tx-1"));
      await recordAuditBatch(tx, [event("head.tx-2"), event("head.tx-3")]);
      await recordAudit(tx, event("head.tx-4"));
    });
    await recordAudit(db(), event("head.after"));
    const events = await db().auditEvent.findMany({ where: { action: { startsWith: "head.tx-" } }, orderBy: { chainSeq: "asc" } });
    expect(events.map((e) => [e.action, e.chainSeq])).toEqual([["head.tx-1", 201n], ["head.tx-2", 202n], ["head.tx-3", 203n], ["head.tx-4", 204n]]);
    expect(await db().auditChainHead.findUniqueOrThrow({ where: { id: 1 } })).toMatchObject({ seq: 205n });
    expect(await verifyAuditChain()).toEqual({ intact: true, checked: 205 });
  });

  it("ignores a tip that is not the writing transaction's own (a session-level SET cannot steer the chain)", async () => {
    const head = await db().auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
    await db().$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`SELECT set_config('toolgate.audit_chain_tip', '1:1:${"f".repeat(64)}', true)`);
      await recordAudit(tx, event("head.forged-tip"));
    });
    const written = await db().auditEvent.findFirstOrThrow({ where: { action: "head.forged-tip" } });
    expect(written).toMatchObject({ chainSeq: head.seq + 1n, prevHash: head.hash });
    expect(await verifyAuditChain()).toMatchObject({ intact: true });
  });

  it("lets no statement move the head, not even forward to an event that exists", async () => {
    const last = await db().auditEvent.findFirstOrThrow({ orderBy: { chainSeq: "desc" } });
    const before = await db().auditEvent.findFirstOrThrow({ where: { chainSeq: last.chainSeq - 1n } });
    await expect(db().$executeRaw`UPDATE audit_chain_head SET seq = ${before.chainSeq}, hash = ${before.hash}`).rejects.toThrow(/kept by the audit chain: UPDATE/);
  });

  it("keeps one intact chain when three connections write batches and single events at once", async () => {
    const clients = await Promise.all([0, 1, 2].map(async () => {
      const client = new pg.Client({ connectionString: env("DATABASE_URL") });
      await client.connect();
      return client;
    }));
    const before = await db().auditEvent.count();
    try {
      await Promise.all([
        ...clients.map(async (client, c) => {
          for (let b = 0; b < 20; b++) await recordAuditBatchOn(client, Array.from({ length: 1 + ((b * 7 + c) % 40) }, (_, i) => event(`head.w${c}-${b}-${i}`)));
        }),
        (async () => {
          for (let n = 0; n < 30; n++) await recordAudit(db(), event(`head.single-${n}`));
        })(),
      ]);
    } finally {
      await Promise.all(clients.map((client) => client.end()));
    }
    const written = (await db().auditEvent.count()) - before;
    expect(written).toBeGreaterThan(30 + 60);
    const last = await db().auditEvent.findFirstOrThrow({ orderBy: { chainSeq: "desc" } });
    expect(await db().auditChainHead.findUniqueOrThrow({ where: { id: 1 } })).toMatchObject({ seq: last.chainSeq, hash: last.hash });
    expect(await verifyAuditChain()).toEqual({ intact: true, checked: before + written });
  });
});
