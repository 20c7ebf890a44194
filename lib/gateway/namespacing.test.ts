import { afterEach, describe, expect, it, vi } from "vitest";
import { maxToolNameLength, namespacedToolName, parseNamespacedToolName } from "./namespacing";

/** Every string of length 1..maxLength over the alphabet. */
function strings(alphabet: string, maxLength: number): string[] {
  let level = [""];
  const all: string[] = [];
  for (let length = 1; length <= maxLength; length++) {
    level = level.flatMap((prefix) => [...alphabet].map((char) => prefix + char));
    all.push(...level);
  }
  return all;
}

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomString(next: () => number, alphabet: string, maxLength: number): string {
  const length = 1 + Math.floor(next() * maxLength);
  return Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join("");
}

afterEach(() => vi.restoreAllMocks());

describe("namespacedToolName", () => {
  it("escapes the server name and joins with __", () => {
    expect(namespacedToolName("com.example/crm", "get_contact")).toBe("com.example_scrm__get_contact");
    expect(namespacedToolName("io.github.some-one/my_server", "list")).toBe("io.github.some-one_smy_userver__list");
    expect(namespacedToolName("com.example/crm", "a__b")).toBe("com.example_scrm__a__b");
    expect(namespacedToolName("com.example/crm", "_x_")).toBe("com.example_scrm___x_");
  });

  it("gives two different pairs two different names, and reads every name back to its pair (exhaustive on short names)", () => {
    const servers = strings("a_/.-", 4);
    const tools = strings("a_.-", 3);
    const seen = new Map<string, string>();
    const problems: string[] = [];
    for (const server of servers) {
      for (const tool of tools) {
        const pair = `${server} + ${tool}`;
        const name = namespacedToolName(server, tool);
        if (name === null || !/^[A-Za-z0-9_.-]+$/.test(name)) problems.push(`${pair} → ${name}`);
        else if (seen.has(name)) problems.push(`${pair} collides with ${seen.get(name)}`);
        else if (JSON.stringify(parseNamespacedToolName(name)) !== JSON.stringify({ server, tool })) problems.push(`${name} does not read back as ${pair}`);
        if (name) seen.set(name, pair);
      }
    }
    expect(problems).toEqual([]);
    expect(seen.size).toBe(servers.length * tools.length);
  });

  it("round-trips random realistic names with underscores, dots, dashes and __ in tool names", () => {
    const next = random(20261124);
    const seen = new Map<string, string>();
    for (let i = 0; i < 20_000; i++) {
      const server = `${randomString(next, "ab.-_", 12)}/${randomString(next, "ab.-_", 12)}`;
      const tool = randomString(next, "aZ9_.-", 16);
      const name = namespacedToolName(server, tool)!;
      const pair = `${server} + ${tool}`;
      const earlier = seen.get(name);
      expect(earlier === undefined || earlier === pair, `${pair} collides with ${earlier}`).toBe(true);
      seen.set(name, pair);
      expect(parseNamespacedToolName(name)).toEqual({ server, tool });
    }
  });

  it("refuses, and logs, a pair whose name would be longer than 128 characters or outside MCP's characters", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const server = "com.example/crm"; // 16 characters escaped, 18 with the separator
    expect(namespacedToolName(server, "t".repeat(maxToolNameLength - 18))).toHaveLength(maxToolNameLength);
    expect(namespacedToolName(server, "t".repeat(maxToolNameLength - 17))).toBeNull();
    expect(namespacedToolName(server, "get contact")).toBeNull();
    expect(namespacedToolName(server, "")).toBeNull();
    expect(namespacedToolName("com.example/crm app", "get")).toBeNull();
    expect(warn).toHaveBeenCalledTimes(4);
    expect(warn.mock.calls[0]![0]).toMatch(/not exposing tool "t+" of server "com.example\/crm": the namespaced name would be 129 characters/);
  });
});

describe("parseNamespacedToolName", () => {
  it("splits at the first __", () => {
    expect(parseNamespacedToolName("com.example_scrm__get_contact")).toEqual({ server: "com.example/crm", tool: "get_contact" });
    expect(parseNamespacedToolName("a_u__b")).toEqual({ server: "a_", tool: "b" });
    expect(parseNamespacedToolName("a___b")).toEqual({ server: "a", tool: "_b" });
    expect(parseNamespacedToolName("a__b__c")).toEqual({ server: "a", tool: "b__c" });
  });

  it("refuses names the scheme never produces", () => {
    for (const name of ["get_contact", "__tool", "server__", "a_x__tool", "com/example__t", "a__b c", `a__${"t".repeat(126)}`, ""]) {
      expect(parseNamespacedToolName(name), name).toBeNull();
    }
  });

  it("only ever reads a name back to the pair that produces exactly that name", () => {
    const next = random(7);
    for (let i = 0; i < 50_000; i++) {
      const name = randomString(next, "a_su.-/", 10);
      const pair = parseNamespacedToolName(name);
      if (pair) expect(namespacedToolName(pair.server, pair.tool), name).toBe(name);
    }
  });
});
