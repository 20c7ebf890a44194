import { describe, expect, it } from "vitest";
import { alertMessage, formFields } from "./action-state";

describe("formFields", () => {
  it("gives each named field as form.get does: its first value, or null when the form lacks it", () => {
    const form = new FormData();
    form.append("reason", "first");
    form.append("reason", "second");
    form.set("other", "left out");
    expect(formFields(form, "reason", "versionId")).toEqual({ reason: "first", versionId: null });
  });
});

describe("alertMessage", () => {
  const refusal = {
    message: "Email is required. Name is required. Choose at least one role.",
    fieldErrors: { email: ["Email is required."], name: ["Name is required."], roles: ["Choose at least one role."] },
  };

  it("says nothing the fields already show under them", () => {
    expect(alertMessage(refusal, ["Email is required.", "Name is required.", "Choose at least one role."])).toBe("");
  });

  it("says the field messages no field shows, once each", () => {
    expect(alertMessage(refusal, ["Email is required.", "Name is required."])).toBe("Choose at least one role.");
    const repeated = { message: "Not a range. Not a range.", fieldErrors: { allow: ["Not a range."], form: ["Not a range.", "Too long."] } };
    expect(alertMessage(repeated, ["Not a range."])).toBe("Too long.");
  });

  it("finds a message among several a field shows together", () => {
    expect(alertMessage(refusal, ["Email is required. Name is required.", "Choose at least one role."])).toBe("");
  });

  it("says the whole message when no field shows any of it, or when there are no field messages", () => {
    expect(alertMessage(refusal, [])).toBe(refusal.message);
    expect(alertMessage(refusal, ["Something else."])).toBe(refusal.message);
    expect(alertMessage({ message: "A team named Ops already exists.", fieldErrors: {} }, ["Email is required."])).toBe("A team named Ops already exists.");
  });

  it("leaves out a summary whose details every field shows", () => {
    const policy = { message: 'The setting "approvals.waitSeconds" is invalid: Too small.', fieldErrors: { "approvals.waitSeconds": ["Too small."] } };
    expect(alertMessage(policy, ["Too small."])).toBe("");
  });
});
