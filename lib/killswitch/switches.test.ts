import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { makeServer, makeUser } from "@/test/factories";
import { activeKillSwitches, clearKillSwitch, engagedGlobalSwitch, engageKillSwitch, killSwitchesFor, killSwitchesOnServer } from "./switches";

type Person = Awaited<ReturnType<typeof makeUser>>;

let admin: Person;
let reviewer: Person;
let records: { id: string; v1: string; v2: string };
let other: { id: string; v1: string };

const reason = "Backend leaks records";

beforeAll(async () => {
  admin = await makeUser(["admin"]);
  reviewer = await makeUser(["reviewer"]);
  const r = await makeServer({
    name: "com.example/records",
    versions: [
      { version: "1.0.0", tools: [{ name: "read_record" }, { name: "delete_record" }] },
      { version: "2.0.0", tools: [{ name: "read_record" }, { name: "archive_record" }] },
    ],
  });
  records = { id: r.id, v1: r.versionIds[0]!, v2: r.versionIds[1]! };
  const o = await makeServer({ name: "com.example/other", versions: [{ version: "1.0.0", tools: [{ name: "ping" }] }] });
  other = { id: o.id, v1: o.versionIds[0]! };
});

const engagedIds = async () => (await activeKillSwitches()).map((s) => s.id).sort();

describe("engaging and clearing", () => {
  it("works for each scope, with names for readers and an audit event per change", async () => {
    const global = await engageKillSwitch(admin, { scope: "global", reason: "Incident 42" });
    const server = await engageKillSwitch(reviewer, { scope: "server", serverId: records.id, reason });
    const version = await engageKillSwitch(admin, { scope: "version", serverId: records.id, versionId: records.v1, reason });
    const tool = await engageKillSwitch(reviewer, { scope: "tool", serverId: records.id, toolName: "delete_record", reason });
    const toolInVersion = await engageKillSwitch(reviewer, { scope: "tool", serverId: records.id, versionId: records.v2, toolName: "read_record", reason });

    expect(global).toMatchObject({ scope: "global", serverId: null, reason: "Incident 42", engagedBy: admin.email });
    expect(server).toMatchObject({ scope: "server", serverName: "com.example/records", engagedBy: reviewer.email });
    expect(version).toMatchObject({ scope: "version", version: "1.0.0", toolName: null });
    expect(tool).toMatchObject({ scope: "tool", versionId: null, toolName: "delete_record" });
    expect(toolInVersion).toMatchObject({ scope: "tool", version: "2.0.0", toolName: "read_record" });
    expect((await activeKillSwitches()).map((s) => s.scope)).toEqual(["global", "server", "version", "tool", "tool"]);
    expect((await killSwitchesOnServer(records.id)).map((s) => s.id).sort()).toEqual([server.id, version.id, tool.id, toolInVersion.id].sort());

    const cleared = [];
    for (const engaged of [global, server, version, tool, toolInVersion]) {
      cleared.push(await clearKillSwitch(reviewer, { id: engaged.id, reason: "Fixed in backend" }));
    }
    expect(cleared.map((s) => s.id)).toEqual([global.id, server.id, version.id, tool.id, toolInVersion.id]);
    expect(await activeKillSwitches()).toEqual([]);
    const row = await db().killSwitch.findUniqueOrThrow({ where: { id: tool.id } });
    expect(row).toMatchObject({ clearedById: reviewer.id, clearReason: "Fixed in backend", reason });
    expect(row.clearedAt).toBeInstanceOf(Date);

    const events = await db().auditEvent.findMany({ where: { action: { startsWith: "killswitch." } }, orderBy: { id: "asc" } });
    expect(events.map((e) => [e.action, e.targetType, e.targetId, e.outcome])).toEqual([
      ["killswitch.engage", "global", null, "success"],
      ...Array(4).fill(["killswitch.engage", "server", records.id, "success"]),
      ["killswitch.clear", "global", null, "success"],
      ...Array(4).fill(["killswitch.clear", "server", records.id, "success"]),
    ]);
    expect(events[0]).toMatchObject({ actorId: admin.id, reason: "Incident 42", details: expect.objectContaining({ killSwitchId: global.id, scope: "global" }) });
    expect(events.at(-1)).toMatchObject({ actorId: reviewer.id, reason: "Fixed in backend", details: expect.objectContaining({ killSwitchId: toolInVersion.id }) });
  });

  it("refuses a second switch on an engaged target, even when both arrive at once, until it is cleared", async () => {
    const first = await engageKillSwitch(admin, { scope: "server", serverId: other.id, reason });
    await expect(engageKillSwitch(reviewer, { scope: "server", serverId: other.id, reason: "Again" })).rejects.toThrow(/already engaged/);
    await expect(engageKillSwitch(reviewer, { scope: "server", serverId: other.id, reason: "Again" })).rejects.toThrow(ConflictError);
    await clearKillSwitch(admin, { id: first.id, reason: "Resolved" });
    await expect(clearKillSwitch(admin, { id: first.id, reason: "Resolved again" })).rejects.toThrow(ConflictError);

    const racing = await Promise.allSettled([1, 2, 3].map(() => engageKillSwitch(admin, { scope: "global", reason: "Everyone at once" })));
    expect(racing.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const refused of racing.filter((r) => r.status === "rejected")) expect(refused.reason).toBeInstanceOf(ConflictError);
    const [engaged] = await activeKillSwitches();
    const clearing = await Promise.allSettled([1, 2].map(() => clearKillSwitch(admin, { id: engaged!.id, reason: "Both clear" })));
    expect(clearing.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await activeKillSwitches()).toEqual([]);
  });

  it("refuses targets that do not exist or do not match the scope, changing nothing", async () => {
    const before = await engagedIds();
    const unknownId = "00000000-0000-4000-8000-000000000000";
    const refusals: [unknown, RegExp | (new (message: string) => Error)][] = [
      [{ scope: "server", serverId: unknownId, reason }, NotFoundError],
      [{ scope: "version", serverId: records.id, versionId: other.v1, reason }, /does not belong/],
      [{ scope: "version", serverId: records.id, versionId: unknownId, reason }, NotFoundError],
      [{ scope: "tool", serverId: records.id, toolName: "ping", reason }, /no tool named ping in any version/],
      [{ scope: "tool", serverId: records.id, versionId: records.v1, toolName: "archive_record", reason }, /in that version/],
      [{ scope: "server", reason }, /needs a server/],
      [{ scope: "version", serverId: records.id, reason }, /needs a version/],
      [{ scope: "tool", serverId: records.id, reason }, /needs a tool name/],
      [{ scope: "server", serverId: records.id, versionId: records.v1, reason }, /takes no version/],
      [{ scope: "global", serverId: records.id, reason }, /takes no server/],
      [{ scope: "version", serverId: records.id, versionId: records.v1, toolName: "read_record", reason }, /takes no tool name/],
      [{ scope: "everything", reason }, /Choose what to stop/],
      [{ scope: "server", serverId: "'; DROP TABLE servers; --", reason }, /Unknown server/],
      [null, ValidationError],
      ["global", ValidationError],
    ];
    for (const [input, expected] of refusals) {
      await expect(engageKillSwitch(admin, input), JSON.stringify(input)).rejects.toThrow(expected);
    }
    await expect(clearKillSwitch(admin, { id: unknownId, reason })).rejects.toThrow(NotFoundError);
    await expect(clearKillSwitch(admin, { id: "nope", reason })).rejects.toThrow(ValidationError);
    expect(await engagedIds()).toEqual(before);
  });

  it("treats empty form fields as absent", async () => {
    const engaged = await engageKillSwitch(admin, { scope: "server", serverId: other.id, versionId: "", toolName: "", reason: `  ${reason}  ` });
    expect(engaged).toMatchObject({ scope: "server", versionId: null, toolName: null, reason });
    await clearKillSwitch(admin, { id: engaged.id, reason: "Done here" });
  });
});

describe("the global switch", () => {
  it("is found while engaged, for the app-wide banner, and not before or after", async () => {
    const server = await engageKillSwitch(admin, { scope: "server", serverId: other.id, reason });
    expect(await engagedGlobalSwitch()).toBeNull();
    const global = await engageKillSwitch(admin, { scope: "global", reason: "Incident 43" });
    expect(await engagedGlobalSwitch()).toMatchObject({ id: global.id, scope: "global", reason: "Incident 43", engagedBy: admin.email });
    await clearKillSwitch(admin, { id: global.id, reason: "Over" });
    expect(await engagedGlobalSwitch()).toBeNull();
    await clearKillSwitch(admin, { id: server.id, reason: "Over" });
  });
});

describe("reasons", () => {
  it("are required to engage and to clear, 3 to 1000 characters", async () => {
    for (const bad of [undefined, "", "  ", "ab", "x".repeat(1001), 42]) {
      await expect(engageKillSwitch(admin, { scope: "global", reason: bad })).rejects.toThrow(ValidationError);
    }
    expect(await activeKillSwitches()).toEqual([]);
    const engaged = await engageKillSwitch(admin, { scope: "global", reason: "x".repeat(1000) });
    for (const bad of [undefined, "", "no"]) {
      await expect(clearKillSwitch(admin, { id: engaged.id, reason: bad })).rejects.toThrow(/reason/);
    }
    expect(await engagedIds()).toEqual([engaged.id]);
    await clearKillSwitch(admin, { id: engaged.id, reason: "Okay" });
  });
});

describe("who may", () => {
  it("only administrators and reviewers engage or clear; refusals are audited and change nothing", async () => {
    const owner = await makeUser(["owner"]);
    const approver = await makeUser(["approver"]);
    const engaged = await engageKillSwitch(reviewer, { scope: "server", serverId: records.id, reason });
    for (const person of [owner, approver]) {
      await expect(engageKillSwitch(person, { scope: "global", reason })).rejects.toThrow(ForbiddenError);
      await expect(engageKillSwitch(person, { scope: "server", serverId: other.id, reason })).rejects.toThrow(ForbiddenError);
      await expect(clearKillSwitch(person, { id: engaged.id, reason })).rejects.toThrow(ForbiddenError);
    }
    expect(await engagedIds()).toEqual([engaged.id]);
    const denied = await db().auditEvent.findMany({ where: { actorId: owner.id }, orderBy: { id: "asc" } });
    expect(denied.map((e) => [e.action, e.outcome, e.targetType, e.targetId])).toEqual([
      ["killswitch.manage", "denied", "global", null],
      ["killswitch.manage", "denied", "server", other.id],
      ["killswitch.manage", "denied", "server", records.id],
    ]);
    await clearKillSwitch(admin, { id: engaged.id, reason: "Cleanup" });
  });
});

describe("which switches apply", () => {
  it("global, server, version and tool switches apply to exactly what they name", async () => {
    const server = await engageKillSwitch(admin, { scope: "server", serverId: records.id, reason });
    const version = await engageKillSwitch(admin, { scope: "version", serverId: records.id, versionId: records.v1, reason });
    const everyVersion = await engageKillSwitch(admin, { scope: "tool", serverId: records.id, toolName: "read_record", reason });
    const oneVersion = await engageKillSwitch(admin, { scope: "tool", serverId: records.id, versionId: records.v2, toolName: "archive_record", reason });
    const ids = async (target: Parameters<typeof killSwitchesFor>[0]) => (await killSwitchesFor(target)).map((s) => s.id);

    expect(await ids({ serverId: other.id, versionId: other.v1, toolName: "ping" })).toEqual([]);
    expect(await ids({ serverId: records.id })).toEqual([server.id]);
    expect(await ids({ serverId: records.id, versionId: records.v1 })).toEqual([server.id, version.id]);
    expect(await ids({ serverId: records.id, versionId: records.v2 })).toEqual([server.id]);
    expect(await ids({ serverId: records.id, versionId: records.v1, toolName: "read_record" })).toEqual([server.id, version.id, everyVersion.id]);
    expect(await ids({ serverId: records.id, versionId: records.v2, toolName: "read_record" })).toEqual([server.id, everyVersion.id]);
    expect(await ids({ serverId: records.id, versionId: records.v2, toolName: "archive_record" })).toEqual([server.id, oneVersion.id]);
    expect(await ids({ serverId: records.id, versionId: records.v1, toolName: "delete_record" })).toEqual([server.id, version.id]);
    // Without a version only the switches for every version of the tool are known to apply.
    expect(await ids({ serverId: records.id, toolName: "archive_record" })).toEqual([server.id]);

    await clearKillSwitch(admin, { id: server.id, reason: "Server fine" });
    const global = await engageKillSwitch(admin, { scope: "global", reason: "Stop everything" });
    expect(await ids({ serverId: other.id, versionId: other.v1, toolName: "ping" })).toEqual([global.id]);
    expect(await ids({ serverId: records.id, versionId: records.v2, toolName: "archive_record" })).toEqual([global.id, oneVersion.id]);
    await clearKillSwitch(admin, { id: global.id, reason: "Over" });
    expect(await ids({ serverId: other.id, versionId: other.v1, toolName: "ping" })).toEqual([]);
    for (const s of [version, everyVersion, oneVersion]) await clearKillSwitch(admin, { id: s.id, reason: "Tidy up" });
  });
});
