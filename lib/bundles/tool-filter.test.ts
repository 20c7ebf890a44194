import { describe, expect, it } from "vitest";
import { filterTools } from "./tool-filter";

const choices = [
  { server: "com.example/crm", title: "CRM", tools: ["get_contact", "search"] },
  { server: "com.example/tickets", title: "Help desk", tools: ["close_ticket", "search"] },
];

describe("the tool picker's filter", () => {
  it("shows everything when empty or blank", () => {
    expect(filterTools(choices, "  ")).toMatchObject({ shown: 4, total: 4, groups: [{ hidden: false }, { hidden: false }] });
  });

  it("matches a tool's name, ignoring case, and hides entries with no match", () => {
    const { groups, shown } = filterTools(choices, "CONTACT");
    expect(shown).toBe(1);
    expect(groups.map((group) => [group.visible, group.hidden])).toEqual([
      [[true, false], false],
      [[false, false], true],
    ]);
  });

  it("shows every tool of an entry whose name or title matches", () => {
    expect(filterTools(choices, "help").groups[1]!.visible).toEqual([true, true]);
    expect(filterTools(choices, "example/crm").shown).toBe(2);
  });

  it("shows nothing for text no tool or entry has", () => {
    expect(filterTools(choices, "\u0000zzz")).toMatchObject({ shown: 0, groups: [{ hidden: true }, { hidden: true }] });
  });
});
