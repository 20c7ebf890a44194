import { describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import { createInputFrom, decisionFrom, draftInputFrom, toolsFrom, versionInputFrom } from "./form-input";

const form = (entries: [string, string][]) => {
  const data = new FormData();
  for (const [name, value] of entries) data.append(name, value);
  return data;
};

describe("the Bundles forms' inputs", () => {
  it("split each ticked tool at its last space", () => {
    expect(toolsFrom(form([["tools", "com.example/crm search"], ["tools", "a b/c get_contact"]]))).toEqual([
      { server: "com.example/crm", tool: "search" },
      { server: "a b/c", tool: "get_contact" },
    ]);
  });

  it("pass on a value without a space, or a file, for the schema to refuse", () => {
    const data = form([["tools", "nospace"]]);
    data.append("tools", new Blob(["x"]));
    expect(toolsFrom(data)).toEqual([
      { server: "nospace", tool: "" },
      { server: "", tool: "" },
    ]);
  });

  it("read a new bundle, absent fields as empty text", () => {
    expect(createInputFrom(form([["name", " desk "], ["tools", "s/x t"]]))).toEqual({ name: "desk", title: "", description: "", teamId: "", tools: [{ server: "s/x", tool: "t" }] });
    expect(draftInputFrom(form([["bundle", "desk"]]))).toEqual({ bundle: "desk", tools: [] });
  });

  it("read a version's number as a number only when it is digits", () => {
    expect(versionInputFrom(form([["bundle", "desk"], ["number", "3"]]))).toEqual({ bundle: "desk", number: 3 });
    expect(versionInputFrom(form([["bundle", "desk"], ["number", "1e3"], ["reason", "ok"]]))).toEqual({ bundle: "desk", number: "1e3", reason: "ok" });
    expect(versionInputFrom(form([["bundle", "desk"], ["number", "99999999"]])).number).toBe("99999999");
  });

  it("accept only Certify or Reject as a decision", () => {
    expect(decisionFrom(form([["decision", "reject"]]))).toBe("reject");
    expect(() => decisionFrom(form([["decision", "approve"]]))).toThrow(ValidationError);
    expect(() => decisionFrom(form([]))).toThrow(ValidationError);
  });
});
