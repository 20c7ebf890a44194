import { describe, expect, it } from "vitest";
import { likeLiteral } from "./like";

describe("likeLiteral", () => {
  it("escapes LIKE's wildcards and its escape character, and leaves other text alone", () => {
    expect(likeLiteral("50%_off\\now")).toBe("50\\%\\_off\\\\now");
    expect(likeLiteral("com.example/crm")).toBe("com.example/crm");
  });
});
