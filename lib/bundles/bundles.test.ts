import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { makeServer, makeTeam, makeUser } from "@/test/factories";
import { createBundle, decideBundleVersion, saveBundleDraft, submitBundleVersion } from "./bundles";
import { bundleToolNames } from "@/lib/gateway/bundle-names";
import { servedBundle } from "@/lib/gateway/served-bundles";
import { clearResolutionCache } from "@/lib/gateway/invalidation";

let owner: Awaited<ReturnType<typeof makeUser>>;
let stranger: Awaited<ReturnType<typeof makeUser>>;
let admin: Awaited<ReturnType<typeof makeUser>>;
let reviewer: Awaited<ReturnType<typeof makeUser>>;
let teamId: string;
let serverName: string;
let otherServer: string;

beforeAll(async () => {
  owner = await makeUser(["owner"]);
  stranger = await makeUser(["owner"]);
  admin = await makeUser(["admin"]);
  reviewer = await makeUser(["owner", "reviewer"]);
  teamId = (await makeTeam([owner, reviewer])).id;
  await makeTeam([stranger]);
  const tools = [{ name: "get_ticket" }, { name: "close_ticket" }, { name: "search" }];
  ({ name: serverName } = await makeServer({ teamId, versions: [{ version: "1.0.0", status: "certified", tools }, { version: "2.0.0", status: "draft", tools: [{ name: "draft_only" }] }] }));
  ({ name: otherServer } = await makeServer({ teamId, versions: [{ version: "1.0.0", status: "certified", tools: [{ name: "search" }] }] }));
});

const tools = () => [
  { server: serverName, tool: "get_ticket" },
  { server: otherServer, tool: "search" },
];
let counter = 0;
const fresh = () => `desk-${process.pid}-${++counter}`;

describe("a bundle's review", () => {
  it("goes draft → submitted → certified by a reviewer who is not its author, audited at each step", async () => {
    const name = fresh();
    expect(await createBundle(owner, { name, title: "Support desk", teamId, tools: tools() })).toMatchObject({ number: 1, status: "draft" });
    clearResolutionCache();
    expect(await servedBundle(name)).toBeNull();
    await submitBundleVersion(owner, { bundle: name, number: 1 });
    await expect(saveBundleDraft(owner, { bundle: name, tools: tools().slice(0, 1) })).resolves.toMatchObject({ number: 2 });
    await decideBundleVersion(reviewer, { bundle: name, number: 1, reason: "Right tools for the desk." }, "certify");
    clearResolutionCache();
    const served = await servedBundle(name);
    expect(served).toMatchObject({ number: 1, teamId });
    expect([...served!.canonicalByExposed.keys()].sort()).toEqual(["get_ticket", "search"]);
    const bundle = await db().bundle.findUniqueOrThrow({ where: { name } });
    const actions = (await db().auditEvent.findMany({ where: { targetType: "bundle", targetId: bundle.id }, orderBy: { chainSeq: "asc" } })).map((e) => e.action);
    expect(actions).toEqual(["bundle.create", "bundle.version.submit", "bundle.version.draft", "bundle.version.certify"]);
  });

  it("keeps a submitted version's tools immutable, even to a direct write", async () => {
    const name = fresh();
    await createBundle(owner, { name, title: "Desk", teamId, tools: tools() });
    await submitBundleVersion(owner, { bundle: name, number: 1 });
    const version = await db().bundleVersion.findFirstOrThrow({ where: { bundle: { name } } });
    await expect(db().bundleTool.deleteMany({ where: { versionId: version.id } })).rejects.toThrow(/no longer a draft/);
    await expect(submitBundleVersion(owner, { bundle: name, number: 1 })).rejects.toThrow(ConflictError);
  });

  it("refuses the author as reviewer, audited", async () => {
    const name = fresh();
    await createBundle(reviewer, { name, title: "Desk", teamId, tools: tools() });
    await submitBundleVersion(reviewer, { bundle: name, number: 1 });
    await expect(decideBundleVersion(reviewer, { bundle: name, number: 1, reason: "Looks fine." }, "certify")).rejects.toThrow(/Nobody reviews a bundle version they wrote/);
    expect(await db().auditEvent.count({ where: { actorId: reviewer.id, action: "bundles.review", outcome: "denied", reason: "author of the version" } })).toBe(1);
  });

  it("refuses an owner of another team, audited, and lets an administrator define any team's bundle", async () => {
    await expect(createBundle(stranger, { name: fresh(), title: "Desk", teamId, tools: tools() })).rejects.toThrow(ForbiddenError);
    expect(await db().auditEvent.count({ where: { actorId: stranger.id, action: "bundles.define", outcome: "denied" } })).toBe(1);
    const name = fresh();
    await createBundle(owner, { name, title: "Desk", teamId, tools: tools() });
    await expect(saveBundleDraft(stranger, { bundle: name, tools: tools() })).rejects.toThrow(ForbiddenError);
    await expect(saveBundleDraft(admin, { bundle: name, tools: tools() })).resolves.toMatchObject({ number: 1 });
    await expect(decideBundleVersion(owner, { bundle: name, number: 1, reason: "Mine anyway." }, "certify")).rejects.toThrow(ForbiddenError);
  });

  it.each([
    ["a name with a control character", { name: "desk\u0000", title: "Desk", tools: [] }],
    ["a path trick as name", { name: "../desk", title: "Desk" }],
    ["an upper-case name", { name: "Desk" }],
    ["a title with a bidi override", { name: "desk-x", title: "Desk\u202e" }],
    ["tools of the wrong type", { name: "desk-y", title: "Desk", tools: "all" }],
    ["no tools", { name: "desk-z", title: "Desk", tools: [] }],
    ["a tool listed twice", { name: "desk-w", title: "Desk", tools: [{ server: "a/b", tool: "t" }, { server: "a/b", tool: "t" }] }],
    ["a tool name with a newline", { name: "desk-v", title: "Desk", tools: [{ server: "a/b", tool: "t\nx" }] }],
    ["too many tools", { name: "desk-u", title: "Desk", tools: Array.from({ length: 201 }, (_, i) => ({ server: "a/b", tool: `t${i}` })) }],
  ])("refuses %s", async (_case, input) => {
    await expect(createBundle(owner, { teamId, ...input })).rejects.toThrow(ValidationError);
  });

  it("refuses tools no certified version declares, and unknown servers, naming them", async () => {
    await expect(createBundle(owner, { name: fresh(), title: "Desk", teamId, tools: [{ server: serverName, tool: "draft_only" }] })).rejects.toThrow(/No certified version declares draft_only/);
    await expect(createBundle(owner, { name: fresh(), title: "Desk", teamId, tools: [{ server: "com.example/none", tool: "x" }] })).rejects.toThrow(/x of com\.example\/none/);
  });

  it("refuses a taken name, and unknown bundles and versions", async () => {
    const name = fresh();
    await createBundle(owner, { name, title: "Desk", teamId, tools: tools() });
    await expect(createBundle(owner, { name, title: "Desk", teamId, tools: tools() })).rejects.toThrow(ConflictError);
    await expect(submitBundleVersion(owner, { bundle: "no-such-desk", number: 1 })).rejects.toThrow(NotFoundError);
    await expect(decideBundleVersion(reviewer, { bundle: name, number: 9, reason: "Nothing here." }, "reject")).rejects.toThrow(NotFoundError);
  });
});

describe("names on a bundle's endpoint", () => {
  it("are the tools' own unless two collide, then both are prefixed", () => {
    const named = bundleToolNames([
      { server: "com.example/crm", tool: "search" },
      { server: "com.example/tickets", tool: "search" },
      { server: "com.example/crm", tool: "get_contact" },
    ]);
    expect(named.map((tool) => tool.exposedName)).toEqual(["com.example_scrm__search", "com.example_stickets__search", "get_contact"]);
  });

  it("prefixes a plain name that equals another tool's prefixed name", () => {
    const named = bundleToolNames([
      { server: "a.b/c", tool: "x" },
      { server: "d.e/f", tool: "a.b_sc__x" },
    ]);
    expect(new Set(named.map((tool) => tool.exposedName)).size).toBe(2);
    expect(named[1]!.exposedName).toBe("d.e_sf__a.b_sc__x");
  });
});
