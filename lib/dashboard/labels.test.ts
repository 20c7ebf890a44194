import { describe, expect, it } from "vitest";
import { headLabel, labelRoom, toolLabel } from "./labels";

describe("bar labels", () => {
  it("keep short names whole and label tools `server · tool`", () => {
    expect(toolLabel("io.example/files", "read")).toEqual({ label: "io.example/files · read", full: "io.example/files · read" });
    expect(toolLabel(null, "nothing")).toEqual({ label: "nothing", full: "nothing" });
    expect(headLabel("alpha")).toEqual({ label: "alpha", full: "alpha" });
  });

  it("shorten the server's start, never the tool, so tools of one server stay apart", () => {
    const server = "io.example/dashboard-and-kill-switches";
    const labels = ["toggle-simulated-logging", "toggle-subscriber-updates", "echo"].map((tool) => toolLabel(server, tool));
    expect(labels.map((l) => l.label)).toEqual(["…ches · toggle-simulated-logging", "…hes · toggle-subscriber-updates", "…hboard-and-kill-switches · echo"]);
    for (const l of labels) expect(l.label.length).toBeLessThanOrEqual(labelRoom);
    expect(labels[0]!.full).toBe(`${server} · toggle-simulated-logging`);
  });

  it("fall back to the tool alone when it leaves no room, and keep the end of an unresolved name", () => {
    const tool = "a-tool-with-a-name-long-enough-to-fill-the-axis";
    expect(toolLabel("io.example/x", tool).label).toBe(`${tool.slice(0, labelRoom - 1)}…`);
    expect(toolLabel(null, "io_example_some-long-server-name__get-sum").label).toBe("…_some-long-server-name__get-sum");
    expect(headLabel("x".repeat(40)).label).toBe(`${"x".repeat(labelRoom - 1)}…`);
  });
});
