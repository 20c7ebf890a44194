import { describe, expect, it } from "vitest";
import { makeTeam, makeUser } from "@/test/factories";
import { gettingStarted } from "./getting-started";

const done = async () => Object.fromEntries((await gettingStarted()).map((step) => [step.label, step.done]));

describe("gettingStarted", () => {
  it("starts with nothing done and marks each step as the database shows it", async () => {
    expect(Object.values(await done())).toEqual([false, false, false, false, false, false]);
    const admin = await makeUser(["admin"]);
    expect((await done())["Add people: server owners, reviewers and approvers"]).toBe(false);
    await makeTeam([admin]);
    await makeUser(["owner"]);
    const after = await done();
    expect(after["Create a team"]).toBe(true);
    expect(after["Add people: server owners, reviewers and approvers"]).toBe(true);
    expect(after["Register an MCP server"]).toBe(false);
  });
});
