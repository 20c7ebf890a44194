import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import canonicalize from "canonicalize";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import type { VersionStatus } from "@/lib/generated/prisma/client";
import { MiB } from "@/lib/settings/policy";
import { makeServer, makeTeam, makeUser } from "@/test/factories";
import { addEvidence, evidenceFile, listEvidence } from "./store";

type Person = Awaited<ReturnType<typeof makeUser>>;

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, "../../test/fixtures/evidence", name));
const sha256 = (data: Uint8Array | string) => createHash("sha256").update(data).digest("hex");

let owner: Person;
let team: { id: string };
let serverId: string;
let versionId: string;

/** A server of the team with one version in the given status. */
async function makeVersion(status: VersionStatus = "draft") {
  const server = await makeServer({ teamId: team.id, classification: "confidential", versions: [{ version: "1.0.0", status }] });
  return { serverId: server.id, versionId: server.versionIds[0]! };
}

const evidenceCount = (id = versionId) => db().evidence.count({ where: { versionId: id } });

beforeAll(async () => {
  owner = await makeUser(["owner"]);
  team = await makeTeam([owner]);
  ({ serverId, versionId } = await makeVersion());
});

describe("an owner of the team adds evidence", () => {
  const submissions = {
    eval_result: { kind: "eval_result", metric: "accuracy", score: 0.93, threshold: 0.8 },
    red_team_report: { kind: "red_team_report", outcome: "pass", summary: "No successful prompt injections." },
    security_scan: { kind: "security_scan", file: { name: "codeql.sarif", mediaType: "application/sarif+json", bytes: fixture("sarif-clean.json") } },
    compliance_attestation: { kind: "compliance_attestation", framework: "SOC 2", scope: "Type II", validUntil: "2099-01-01" },
    sbom: { kind: "sbom", file: { name: "bom.json", mediaType: "application/vnd.cyclonedx+json", bytes: fixture("sbom-cyclonedx.json") } },
    approval: { kind: "approval", approver: "Data protection officer", decision: "approved" },
    audit_artifact: { kind: "audit_artifact", description: "Pen-test letter", file: { name: "letter.pdf", mediaType: "application/pdf", bytes: Buffer.from("%PDF-1.7 letter") } },
  };

  it.each(Object.entries(submissions))("of kind %s, with its SHA-256 and an audit event", async (kind, input) => {
    const evidence = await addEvidence(owner, versionId, input);
    expect(evidence).toMatchObject({ kind, versionId, createdById: owner.id });
    const file = "file" in input ? input.file : null;
    if (file) {
      expect(evidence).toMatchObject({ fileName: file.name, mediaType: file.mediaType, sizeBytes: file.bytes.length, sha256: sha256(file.bytes) });
    } else {
      const canonical = canonicalize(evidence.record)!;
      expect(evidence).toMatchObject({ fileName: null, sizeBytes: Buffer.byteLength(canonical), sha256: sha256(canonical) });
    }
    const audit = await db().auditEvent.findFirstOrThrow({ where: { action: "evidence.add", details: { path: ["evidenceId"], equals: evidence.id } } });
    expect(audit).toMatchObject({ actorId: owner.id, targetType: "server", targetId: serverId, outcome: "success" });
    expect(audit.details).toMatchObject({ version: "1.0.0", kind, sha256: evidence.sha256, addedAs: "owner" });
  });

  it("lists it without file contents, and serves each file with its hash", async () => {
    const items = await listEvidence(versionId);
    expect(items.map((item) => item.kind)).toEqual(expect.arrayContaining(Object.keys(submissions)));
    expect(items[0]).not.toHaveProperty("content");
    expect(items[0]!.createdBy).toMatchObject({ id: owner.id, email: owner.email });

    const sbom = items.find((item) => item.kind === "sbom")!;
    const file = await evidenceFile(sbom.id);
    expect(file).toMatchObject({ fileName: "bom.json", mediaType: "application/vnd.cyclonedx+json", sha256: sbom.sha256 });
    expect(Buffer.from(file.content).equals(fixture("sbom-cyclonedx.json"))).toBe(true);

    const recordOnly = items.find((item) => item.kind === "approval")!;
    await expect(evidenceFile(recordOnly.id)).rejects.toThrow(NotFoundError);
    await expect(evidenceFile("not-a-uuid")).rejects.toThrow(NotFoundError);
    expect(await listEvidence("not-a-uuid")).toEqual([]);
  });

  it("stores a failing eval with passed=false, whatever the input claims", async () => {
    const evidence = await addEvidence(owner, versionId, { kind: "eval_result", metric: "accuracy", score: "0.71", threshold: "0.8", passed: true });
    expect(evidence.record).toEqual({ metric: "accuracy", score: 0.71, threshold: 0.8, direction: "higher-is-better", passed: false });
  });
});

describe("who may add evidence", () => {
  it("refuses an owner outside the owning team, and audits the refusal", async () => {
    const outsider = await makeUser(["owner"]);
    await makeTeam([outsider]);
    const before = await evidenceCount();
    await expect(addEvidence(outsider, versionId, { kind: "approval", approver: "me", decision: "approved" })).rejects.toThrow(ForbiddenError);
    expect(await evidenceCount()).toBe(before);
    expect(await db().auditEvent.count({ where: { actorId: outsider.id, outcome: "denied", targetId: serverId } })).toBe(1);
  });

  it("refuses an approver, even one in the team", async () => {
    const approver = await makeUser(["approver"]);
    await db().teamMember.create({ data: { teamId: team.id, userId: approver.id } });
    await expect(addEvidence(approver, versionId, { kind: "approval", approver: "me", decision: "approved" })).rejects.toThrow(ForbiddenError);
    expect(await db().auditEvent.count({ where: { actorId: approver.id, action: "evidence.add", outcome: "denied" } })).toBe(1);
  });

  it("lets a reviewer add evidence without team membership; a reviewer in the team adds as an owner", async () => {
    const reviewer = await makeUser(["reviewer"]);
    const independent = await addEvidence(reviewer, versionId, { kind: "red_team_report", outcome: "fail", summary: "Leaks records via prompt injection." });
    const inTeam = await makeUser(["reviewer"]);
    await db().teamMember.create({ data: { teamId: team.id, userId: inTeam.id } });
    const asOwner = await addEvidence(inTeam, versionId, { kind: "red_team_report", outcome: "pass", summary: "Fixed." });
    const addedAs = async (id: string) =>
      ((await db().auditEvent.findFirstOrThrow({ where: { action: "evidence.add", details: { path: ["evidenceId"], equals: id } } })).details as { addedAs: string }).addedAs;
    expect(await addedAs(independent.id)).toBe("reviewer");
    expect(await addedAs(asOwner.id)).toBe("owner");
  });

  it("refuses an unknown version", async () => {
    await expect(addEvidence(owner, "00000000-0000-4000-8000-000000000000", { kind: "audit_artifact" })).rejects.toThrow(NotFoundError);
    await expect(addEvidence(owner, "nope", { kind: "audit_artifact" })).rejects.toThrow(NotFoundError);
  });
});

describe("evidence is frozen once review ends", () => {
  it.each(["certified", "rejected"] as const)("refuses evidence on a %s version", async (status) => {
    const frozen = await makeVersion(status);
    await expect(addEvidence(owner, frozen.versionId, { kind: "approval", approver: "me", decision: "approved" })).rejects.toThrow(ConflictError);
    await expect(addEvidence(owner, frozen.versionId, { kind: "approval", approver: "me", decision: "approved" })).rejects.toThrow(/frozen/);
    expect(await evidenceCount(frozen.versionId)).toBe(0);
  });

  it.each(["submitted", "in_review"] as const)("accepts evidence on a %s version", async (status) => {
    const open = await makeVersion(status);
    await addEvidence(owner, open.versionId, { kind: "approval", approver: "me", decision: "approved" });
    expect(await evidenceCount(open.versionId)).toBe(1);
  });
});

describe("bad evidence changes nothing", () => {
  it("refuses an SBOM that is not CycloneDX", async () => {
    const before = await evidenceCount();
    const attempt = addEvidence(owner, versionId, { kind: "sbom", file: { name: "bom.spdx.json", mediaType: "application/spdx+json", bytes: fixture("sbom-spdx.json") } });
    await expect(attempt).rejects.toThrow(ValidationError);
    await expect(attempt).rejects.toThrow(/^The SBOM is not a CycloneDX JSON document: /);
    expect(await evidenceCount()).toBe(before);
  });

  it("refuses a 200 MB upload with a clear message", async () => {
    const before = await evidenceCount();
    const huge = { name: "model.bin", mediaType: "application/octet-stream", size: 200 * MiB, bytes: Buffer.alloc(0) };
    await expect(addEvidence(owner, versionId, { kind: "audit_artifact", description: "Weights", file: huge })).rejects.toThrow(
      "The file is 200 MB; the limit is 10 MB.",
    );
    expect(await evidenceCount()).toBe(before);
  });

  it("refuses a non-numeric score with a clear message", async () => {
    const before = await evidenceCount();
    await expect(addEvidence(owner, versionId, { kind: "eval_result", metric: "accuracy", score: "abc", threshold: 0.8 })).rejects.toThrow(
      "Score must be a number.",
    );
    expect(await evidenceCount()).toBe(before);
  });
});

describe("stored evidence is immutable", () => {
  it("cannot be updated or deleted, even directly in the database", async () => {
    const evidence = await addEvidence(owner, versionId, { kind: "approval", approver: "me", decision: "denied" });
    await expect(db().evidence.update({ where: { id: evidence.id }, data: { title: "edited" } })).rejects.toThrow(/append-only/);
    await expect(db().evidence.update({ where: { id: evidence.id }, data: { record: { approver: "me", decision: "approved" } } })).rejects.toThrow(/append-only/);
    await expect(db().evidence.delete({ where: { id: evidence.id } })).rejects.toThrow(/append-only/);
    await expect(db().evidence.deleteMany({ where: { versionId } })).rejects.toThrow(/append-only/);
    expect(await db().evidence.findUniqueOrThrow({ where: { id: evidence.id } })).toMatchObject({ title: evidence.title, record: evidence.record });
  });
});
