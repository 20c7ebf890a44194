import { describe, expect, it } from "vitest";
import { existingSingleton, forgetSingleton, singleton } from "./singleton";

describe("singleton", () => {
  it("creates a value once per name and process, and can forget it", async () => {
    let created = 0;
    const make = () => ({ n: ++created });
    const first = singleton("test-singleton", make);
    expect(singleton("test-singleton", make)).toBe(first);
    // A second copy of the module (as Next.js may load) shares the value.
    const copy = (await import(`./singleton?copy=${Date.now()}`)) as typeof import("./singleton");
    expect(copy.singleton("test-singleton", make)).toBe(first);
    expect(existingSingleton("test-singleton")).toBe(first);
    forgetSingleton("test-singleton");
    expect(existingSingleton("test-singleton")).toBeUndefined();
    expect(singleton("test-singleton", make)).toEqual({ n: 2 });
  });
});
