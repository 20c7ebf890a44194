import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { ForbiddenError } from "@/lib/errors";
import { makeServer, makeTeam, makeUser } from "@/test/factories";
import { bundleToolChoices, listBundles, peopleNames } from "./bundle-list";
import { createBundle, decideBundleVersion, saveBundleDraft, submitBundleVersion } from "./bundles";

let owner: Awaited<ReturnType<typeof makeUser>>;
let stranger: Awaited<ReturnType<typeof makeUser>>;
let admin: Awaited<ReturnType<typeof makeUser>>;
let reviewer: Awaited<ReturnType<typeof makeUser>>;
let approver: Awaited<ReturnType<typeof makeUser>>;
let server: string;
const tag = `${process.pid}`;
const ours = `ours-${tag}`;
const theirs = `theirs-${tag}`;

beforeAll(async () => {
  owner = await makeUser(["owner"]);
  stranger = await makeUser(["owner"]);
  admin = await makeUser(["admin"]);
  reviewer = await makeUser(["reviewer"]);
  approver = await makeUser(["approver"]);
  const team = await makeTeam([owner], `Desk team ${tag}`);
  const otherTeam = await makeTeam([stranger]);
  ({ name: server } = await makeServer({
    teamId: team.id,
    versions: [
      { version: "1.0.0", status: "certified", tools: [{ name: "search" }, { name: "get_ticket" }] },
      { version: "1.1.0", status: "certified", tools: [{ name: "search" }, { name: "close_ticket" }] },
      { version: "2.0.0", status: "draft", tools: [{ name: "draft_only" }] },
    ],
  }));
  // Ours: version 1 certified, version 2 a draft of three tools. Theirs: one draft.
  await createBundle(owner, { name: ours, title: "Our desk", teamId: team.id, tools: [{ server, tool: "search" }] });
  await submitBundleVersion(owner, { bundle: ours, number: 1 });
  await decideBundleVersion(reviewer, { bundle: ours, number: 1, reason: "Right tool." }, "certify");
  await saveBundleDraft(owner, { bundle: ours, tools: [{ server, tool: "search" }, { server, tool: "get_ticket" }, { server, tool: "close_ticket" }] });
  await createBundle(stranger, { name: theirs, title: "Their desk", teamId: otherTeam.id, tools: [{ server, tool: "search" }] });
});

const names = (list: { name: string }[]) => list.map((bundle) => bundle.name).filter((name) => name.endsWith(tag));

describe("listBundles", () => {
  it("gives each bundle's team, latest version, served version and tool count", async () => {
    const [bundle] = (await listBundles(owner)).filter((b) => b.name === ours);
    expect(bundle).toEqual({ name: ours, title: "Our desk", teamId: expect.any(String), teamName: `Desk team ${tag}`, latest: { number: 2, status: "draft", tools: 3 }, served: 1 });
    expect((await listBundles(stranger)).find((b) => b.name === theirs)).toMatchObject({ latest: { number: 1, status: "draft", tools: 1 }, served: null });
  });

  it("shows an owner only their teams' bundles; reviewers and administrators every one", async () => {
    expect(names(await listBundles(owner))).toEqual([ours]);
    expect(names(await listBundles(stranger))).toEqual([theirs]);
    expect(names(await listBundles(reviewer))).toEqual([ours, theirs]);
    expect(names(await listBundles(admin))).toEqual([ours, theirs]);
  });

  it("refuses people who neither define nor review bundles, audited", async () => {
    await expect(listBundles(approver)).rejects.toThrow(ForbiddenError);
    expect(await db().auditEvent.count({ where: { actorId: approver.id, action: "bundles.define", outcome: "denied", reason: "missing role" } })).toBe(1);
  });
});

describe("bundleToolChoices", () => {
  it("lists each certified tool once under its entry, never a draft's", async () => {
    const choice = (await bundleToolChoices(owner)).find((entry) => entry.server === server);
    expect(choice?.tools).toEqual(["close_ticket", "get_ticket", "search"]);
  });

  it("refuses those who may not define bundles, audited", async () => {
    await expect(bundleToolChoices(reviewer)).rejects.toThrow(ForbiddenError);
    expect(await db().auditEvent.count({ where: { actorId: reviewer.id, action: "bundles.define", outcome: "denied" } })).toBe(1);
  });
});

describe("peopleNames", () => {
  it("names the people by id, skipping absent ones", async () => {
    const found = await peopleNames([owner.id, null, owner.id]);
    expect([...found.keys()]).toEqual([owner.id]);
  });
});
