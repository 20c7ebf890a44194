import { describe, expect, it } from "vitest";
import { makeServer } from "@/test/factories";
import { serverIdByName } from "./read";

describe("serverIdByName", () => {
  it("finds the entry of a registered name, and nothing for another (names are compared exactly)", async () => {
    const server = await makeServer({ name: "com.example/lookup" });
    expect(await serverIdByName("com.example/lookup")).toBe(server.id);
    expect(await serverIdByName("com.example/LOOKUP")).toBeNull();
    expect(await serverIdByName("com.example/missing")).toBeNull();
  });
});
