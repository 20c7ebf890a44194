import { describe, expect, it } from "vitest";
import { formFields } from "./action-state";

describe("formFields", () => {
  it("gives each named field as form.get does: its first value, or null when the form lacks it", () => {
    const form = new FormData();
    form.append("reason", "first");
    form.append("reason", "second");
    form.set("other", "left out");
    expect(formFields(form, "reason", "versionId")).toEqual({ reason: "first", versionId: null });
  });
});
