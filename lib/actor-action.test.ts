import { beforeEach, describe, expect, it, vi } from "vitest";
import { ConflictError, UnauthenticatedError, ValidationError } from "@/lib/errors";

const { revalidatePath, requireActor } = vi.hoisted(() => ({ revalidatePath: vi.fn(), requireActor: vi.fn() }));
vi.mock("next/cache", () => ({ revalidatePath }));
vi.mock("@/lib/auth/session", () => ({ requireActor }));

const { actorAction, formAction } = await import("./actor-action");

const ada = { id: "u1", email: "ada@example.com", name: "Ada", roles: ["admin"] };

beforeEach(() => {
  revalidatePath.mockReset();
  requireActor.mockReset().mockResolvedValue(ada);
});

describe("actorAction", () => {
  it("gives the work the signed-in actor, then revalidates the pages it names", async () => {
    const state = await actorAction(async (actor) => ({ message: `Hello ${actor.email}.`, data: 42 }), { revalidate: ["/admin", ["/catalog", "layout"]] });
    expect(state).toEqual({ status: "ok", message: "Hello ada@example.com.", data: 42 });
    expect(revalidatePath.mock.calls).toEqual([["/admin"], ["/catalog", "layout"]]);
  });

  it("turns a domain error into the form's error state, with field errors and what was typed, and revalidates nothing", async () => {
    const values = { name: "crm" };
    const refused = await actorAction(async () => {
      throw new ValidationError("Name is taken.", { name: ["Name is taken."] });
    }, { values, revalidate: ["/admin"] });
    expect(refused).toEqual({ status: "error", message: "Name is taken.", fieldErrors: { name: ["Name is taken."] }, values });
    const conflict = await actorAction(async () => {
      throw new ConflictError("Already decided.");
    });
    expect(conflict).toEqual({ status: "error", message: "Already decided.", fieldErrors: {}, values: undefined });
    expect(revalidatePath).not.toHaveBeenCalled();
  });

  it("asks a signed-out person to sign in without running the work", async () => {
    requireActor.mockRejectedValue(new UnauthenticatedError());
    const work = vi.fn();
    expect(await actorAction(work)).toMatchObject({ status: "error", message: "Sign in first." });
    expect(work).not.toHaveBeenCalled();
  });

  it("lets an unexpected error through to the error page", async () => {
    await expect(actorAction(async () => Promise.reject(new Error("database down")))).rejects.toThrow("database down");
  });
});

describe("formAction", () => {
  const form = () => {
    const data = new FormData();
    data.set("name", "crm");
    data.set("password", "secret");
    return data;
  };
  const refuse = async () => {
    throw new ValidationError("Name is taken.", { name: ["Name is taken."] });
  };

  it("gives the work the actor and the form, then revalidates", async () => {
    const action = formAction(async (actor, data) => ({ message: `${actor.email} named ${String(data.get("name"))}.` }), { revalidate: ["/admin"] });
    expect(await action({ status: "idle" }, form())).toEqual({ status: "ok", message: "ada@example.com named crm." });
    expect(revalidatePath.mock.calls).toEqual([["/admin"]]);
  });

  it("echoes what was typed after a refusal only when asked, leaving out the fields it omits", async () => {
    expect(await formAction(refuse)({ status: "idle" }, form())).toMatchObject({ status: "error", values: undefined });
    expect(await formAction(refuse, { echo: true })({ status: "idle" }, form())).toMatchObject({ values: { name: "crm", password: "secret" } });
    const omitted = await formAction(refuse, { echo: { omit: ["password"] } })({ status: "idle" }, form());
    expect(omitted).toEqual({ status: "error", message: "Name is taken.", fieldErrors: { name: ["Name is taken."] }, values: { name: "crm" } });
  });
});
