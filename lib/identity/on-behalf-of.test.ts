import { describe, expect, it } from "vitest";
import { callerLabel, delegationOf, displayText, maxDisplayNameLength, onBehalfOfUser } from "./on-behalf-of";

describe("delegated tokens' claims", () => {
  it("take the outermost act.sub as the agent and require a user in sub", () => {
    expect(delegationOf({ sub: "u" })).toEqual({ ok: true, actor: null });
    expect(delegationOf({ sub: "u", act: { sub: "agent", act: { sub: "earlier" } } })).toEqual({ ok: true, actor: "agent" });
    expect(delegationOf({ act: { sub: "agent" } })).toMatchObject({ ok: false, description: expect.stringContaining("must name its user in sub") });
    expect(delegationOf({ sub: "u\nv", act: { sub: "agent" } })).toMatchObject({ ok: false });
  });

  it("refuse an act that is not an object with a clean, short sub", () => {
    for (const act of [null, "agent", 7, ["agent"], {}, { sub: "" }, { sub: 7 }, { sub: "x".repeat(256) }, { sub: "a\u202eb" }, { sub: "a\tb" }]) {
      expect(delegationOf({ sub: "u", act }).ok, JSON.stringify(act)).toBe(false);
    }
  });

  it("read a display name from name, email or preferred_username: stripped of controls, one line, capped", () => {
    expect(onBehalfOfUser("https://idp", { sub: "u", email: "ada@example.com", preferred_username: "ada" }).name).toBe("ada@example.com");
    expect(onBehalfOfUser("https://idp", { sub: "u", name: 42, preferred_username: "ada" }).name).toBe("ada");
    expect(onBehalfOfUser("https://idp", { sub: "u", name: "\u0000\u202e" }).name).toBeNull();
    expect(displayText("Ada\u0000\u202e\r\n  Lovelace")).toBe("Ada Lovelace");
    expect([...displayText("😀".repeat(500))]).toHaveLength(maxDisplayNameLength);
  });

  it("label a caller as user X via agent Y", () => {
    expect(callerLabel("helper", { subject: "u-1", name: null })).toBe("user u-1 via agent helper");
    expect(callerLabel("helper", null)).toBe("agent helper");
  });
});
