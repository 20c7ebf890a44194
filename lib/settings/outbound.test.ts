import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { ForbiddenError, ValidationError } from "@/lib/errors";
import { assertOutboundUrl, liveOutboundPolicy } from "@/lib/net/outbound";
import { makeUser } from "@/test/factories";
import {
  currentOutboundPolicy,
  describeAllow,
  describeOutboundRule,
  maxOutboundEntries,
  maxOutboundText,
  mayConnectTo,
  outboundEntries,
  outboundRule,
  outboundSettingKey,
  outboundWarnings,
  resetOutboundRule,
  setOutboundRule,
} from "./outbound";

const loopback = ["127.0.0.0/8", "::1/128"];
const production = (more: Record<string, string> = {}) => ({ NODE_ENV: "production", ...more });

// One database serves the whole file: each test starts from no rule set.
afterEach(async () => {
  delete process.env.TOOLGATE_OUTBOUND_ALLOW;
  await db().setting.deleteMany({ where: { key: outboundSettingKey } });
});

const settingEvents = (actorId: string) =>
  db().auditEvent.findMany({ where: { action: "settings.update", targetId: outboundSettingKey, actorId }, orderBy: { id: "asc" } });

describe("the outbound rule in force", () => {
  it("defaults to loopback while Toolgate listens on loopback only, even in production", async () => {
    for (const host of ["127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"]) {
      expect(await outboundRule(db(), production({ HOST: host }))).toMatchObject({ source: "default", allow: loopback, why: `Toolgate listens on ${host} only (HOST), so only this machine can reach it` });
    }
    // HOST unset means 127.0.0.1, as npm start listens.
    expect((await outboundRule(db(), production())).allow).toEqual(loopback);
  });

  it("defaults to no private range in production when Toolgate listens on a network", async () => {
    for (const host of ["0.0.0.0", "::", "10.0.0.5", "toolgate.internal"]) {
      expect(await outboundRule(db(), production({ HOST: host }))).toMatchObject({ source: "default", allow: [], why: `Toolgate listens on ${host} (HOST), which other machines can reach` });
    }
  });

  it("takes TOOLGATE_OUTBOUND_ALLOW over an administrator's rule", async () => {
    const admin = await makeUser(["admin"]);
    await setOutboundRule(admin, { allow: "10.0.0.0/8" });
    expect(await outboundRule(db(), production({ HOST: "0.0.0.0", TOOLGATE_OUTBOUND_ALLOW: "none" }))).toMatchObject({ source: "environment", allow: [] });
    expect(await outboundRule(db(), production({ HOST: "0.0.0.0" }))).toMatchObject({ source: "administrator", allow: ["10.0.0.0/8"] });
  });

  it("falls back to the default when the stored rule no longer parses", async () => {
    await db().setting.create({ data: { key: outboundSettingKey, value: ["10.0.0/8"] } });
    expect(await outboundRule(db(), production({ HOST: "127.0.0.1" }))).toMatchObject({ source: "default", allow: loopback });
  });

  it("is told in one start-up line, with where to change it", async () => {
    const rule = await outboundRule(db(), production({ HOST: "127.0.0.1" }));
    expect(describeOutboundRule(rule)).toBe(
      "Outbound connections: Toolgate may connect to loopback and to public addresses (the default, because Toolgate listens on 127.0.0.1 only (HOST), so only this machine can reach it). " +
        "Change it under Admin → Outbound connections, or fix it with TOOLGATE_OUTBOUND_ALLOW.",
    );
    expect(describeOutboundRule(await outboundRule(db(), { TOOLGATE_OUTBOUND_ALLOW: "10.0.0.0/8,loopback" }))).toBe(
      "Outbound connections: Toolgate may connect to loopback and 10.0.0.0/8 and to public addresses (TOOLGATE_OUTBOUND_ALLOW is set on the server). Change it with TOOLGATE_OUTBOUND_ALLOW.",
    );
  });
});

describe("an administrator's outbound rule", () => {
  it("is stored, audited with the old and new list, and checked from the next connection on", async () => {
    const admin = await makeUser(["admin"]);
    const rule = await setOutboundRule(admin, { allow: " 10.1.2.3/8,\nfd00::1/8  loopback, 10.0.0.0/8, none" });
    expect(rule).toMatchObject({ source: "administrator", allow: ["10.0.0.0/8", "fd00::/8", ...loopback] });
    expect(liveOutboundPolicy().allow).toEqual(rule.allow);
    expect((await assertOutboundUrl("http://10.9.8.7/mcp", liveOutboundPolicy())).hostname).toBe("10.9.8.7");

    await setOutboundRule(admin, { allow: "" });
    await expect(assertOutboundUrl("http://10.9.8.7/mcp", liveOutboundPolicy())).rejects.toThrow("Admin → Outbound connections");
    expect((await currentOutboundPolicy()).allow).toEqual([]);

    const reset = await resetOutboundRule(admin);
    expect(reset.source).toBe("default");
    expect(await db().setting.count({ where: { key: outboundSettingKey } })).toBe(0);
    expect((await settingEvents(admin.id)).map((event) => event.details)).toEqual([
      { key: outboundSettingKey, old: null, new: ["10.0.0.0/8", "fd00::/8", ...loopback] },
      { key: outboundSettingKey, old: ["10.0.0.0/8", "fd00::/8", ...loopback], new: [] },
      { key: outboundSettingKey, old: [], new: null },
    ]);
    expect((await settingEvents(admin.id))[0]).toMatchObject({ actorId: admin.id, targetType: "setting", outcome: "success" });
  });

  it.each([
    ["10.0.0/8", '"10.0.0/8" is not a range'],
    ["10.0.0.0/33", '"10.0.0.0/33" is not a range'],
    ["10.0.0.5", '"10.0.0.5" is not a range: write a range such as 10.0.0.0/8 or fd00::/8 (one address as 10.0.0.5/32), or "loopback".'],
    ["intranet", '"intranet" is not a range'],
    ["2130706433/8", '"2130706433/8" is not a range'],
    ["10.0.0.0/8\u0000", "The list contains a control character"],
    ["loopback\u202e", "The list contains a control character"],
    ["10.0.0.0/8 ".repeat(200), `The list must be at most ${maxOutboundText} characters.`],
    [Array.from({ length: maxOutboundEntries + 1 }, (_, i) => `10.${i}.0.0/16`).join(","), `At most ${maxOutboundEntries} ranges.`],
    [42, "Give the allowed ranges as text."],
  ])("refuses %j, saying why, and changes nothing", async (allow, message) => {
    const admin = await makeUser(["admin"]);
    const refusal = setOutboundRule(admin, { allow });
    const error = await refusal.catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toContain(message);
    expect((error as ValidationError).fieldErrors).toHaveProperty(["allow"]);
    expect(await db().setting.count({ where: { key: outboundSettingKey } })).toBe(0);
    expect(await settingEvents(admin.id)).toEqual([]);
  });

  it("refuses a missing form", async () => {
    const admin = await makeUser(["admin"]);
    await expect(setOutboundRule(admin, undefined)).rejects.toThrow("Give the allowed ranges.");
  });

  it("is changed only by administrators, and each refusal is audited", async () => {
    const owner = await makeUser(["owner", "reviewer", "approver"]);
    await expect(setOutboundRule(owner, { allow: "loopback" })).rejects.toThrow(ForbiddenError);
    await expect(resetOutboundRule(owner)).rejects.toThrow(ForbiddenError);
    expect(await db().auditEvent.count({ where: { actorId: owner.id, action: "settings.manage", outcome: "denied", targetId: outboundSettingKey } })).toBe(2);
    expect(await db().setting.count({ where: { key: outboundSettingKey } })).toBe(0);
  });

  it("cannot be changed while TOOLGATE_OUTBOUND_ALLOW fixes the rule; the refusal is audited", async () => {
    const admin = await makeUser(["admin"]);
    process.env.TOOLGATE_OUTBOUND_ALLOW = "loopback";
    await expect(setOutboundRule(admin, { allow: "10.0.0.0/8" })).rejects.toThrow("TOOLGATE_OUTBOUND_ALLOW sets the outbound rule on this server");
    await expect(resetOutboundRule(admin)).rejects.toThrow(ForbiddenError);
    expect(await db().auditEvent.findMany({ where: { actorId: admin.id, outcome: "denied" }, select: { action: true, reason: true } })).toEqual([
      { action: "settings.manage", reason: "fixed by TOOLGATE_OUTBOUND_ALLOW" },
      { action: "settings.manage", reason: "fixed by TOOLGATE_OUTBOUND_ALLOW" },
    ]);
    expect(await db().setting.count({ where: { key: outboundSettingKey } })).toBe(0);
  });
});

describe("how a rule reads", () => {
  it("shows the two loopback ranges as loopback", () => {
    expect(outboundEntries(["10.0.0.0/8", ...loopback])).toEqual(["loopback", "10.0.0.0/8"]);
    expect(outboundEntries(["127.0.0.0/8"])).toEqual(["127.0.0.0/8"]);
    expect(describeAllow([])).toBe("no private range");
    expect(describeAllow(["10.0.0.0/8", "fd00::/8", ...loopback])).toBe("loopback, 10.0.0.0/8 and fd00::/8");
    expect(mayConnectTo(["10.0.0.0/8"])).toBe("Toolgate may connect to 10.0.0.0/8 and to public addresses");
    expect(mayConnectTo([])).toBe("Toolgate may connect to public addresses only");
  });

  it("warns about ranges that hold the cloud metadata address or every address", () => {
    expect(outboundWarnings(["10.0.0.0/8", ...loopback])).toEqual([]);
    expect(outboundWarnings(["169.254.0.0/16"])).toEqual(["169.254.0.0/16 holds the cloud metadata address 169.254.169.254, which hands out this machine's cloud credentials."]);
    expect(outboundWarnings(["0.0.0.0/0"])).toEqual([
      "0.0.0.0/0 allows every IPv4 address.",
      "0.0.0.0/0 holds the cloud metadata address 169.254.169.254, which hands out this machine's cloud credentials.",
    ]);
  });
});
