import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import { freePort } from "@/lib/net/free-port";
import { defaultFixtureTools, type FixtureTool, type GarbageKind, startFixtureServer, startGarbageServer } from "@/test/mcp-fixture-server";
import { closeServer, listenOnLoopback } from "@/test/loopback";
import { startServerEverything } from "@/test/server-everything";
import { introspect, IntrospectionError } from "./introspect";

const policy = { allow: ["127.0.0.0/8", "::1/128"] };

describe("introspecting the reference server-everything", () => {
  let everything: Awaited<ReturnType<typeof startServerEverything>>;
  beforeAll(async () => {
    everything = await startServerEverything();
  });
  afterAll(() => everything.close());

  it("lists its tools, resources and prompts", async () => {
    const declared = await introspect({ url: everything.url }, { policy });
    expect(declared.serverInfo).toMatchObject({ name: expect.any(String), version: expect.any(String) });
    expect(declared.protocolVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(declared.tools.map((tool) => tool.name)).toContain("echo");
    expect(declared.tools.find((tool) => tool.name === "echo")?.inputSchema).toMatchObject({ type: "object", properties: { message: {} } });
    expect(declared.resources.length).toBeGreaterThan(0);
    expect(declared.resources[0]).toMatchObject({ uri: expect.any(String), name: expect.any(String) });
    expect(declared.prompts.map((prompt) => prompt.name)).toContain("simple-prompt");
  });
});

describe("introspecting the fixture server", () => {
  const declaredExactly: FixtureTool[] = [
    ...defaultFixtureTools,
    {
      name: "custom_annotations",
      inputSchema: { type: "object", additionalProperties: false, $defs: { id: { type: "string" } } },
      annotations: { title: "Only in annotations", "x-vendor-risk": "high" },
    },
  ];

  it("walks every page of tools/list and keeps each tool exactly as declared", async () => {
    const fixture = await startFixtureServer({ tools: declaredExactly, pageSize: 1 });
    try {
      const declared = await introspect({ url: fixture.url }, { policy });
      // toStrictEqual also fails on keys present as undefined, e.g. a title the server never declared.
      expect(declared.tools).toStrictEqual(declaredExactly);
      expect(declared).toMatchObject({ serverInfo: { name: "toolgate-fixture", version: "1.0.0", title: "Toolgate fixture" }, resources: [], prompts: [] });
    } finally {
      await fixture.close();
    }
  });

  it("keeps only the fields Toolgate records", async () => {
    const extra = { icons: [{ src: "https://example.com/icon.png" }], _meta: { origin: "test" }, execution: { taskSupport: "forbidden" } };
    const fixture = await startFixtureServer({ tools: [{ name: "plain", inputSchema: { type: "object" }, ...extra }] });
    try {
      expect((await introspect({ url: fixture.url }, { policy })).tools).toStrictEqual([{ name: "plain", inputSchema: { type: "object" } }]);
    } finally {
      await fixture.close();
    }
  });

  it("sees a changed tool list on the next introspection", async () => {
    const fixture = await startFixtureServer({ pageSize: 2 });
    try {
      expect((await introspect({ url: fixture.url }, { policy })).tools.map((tool) => tool.name)).toEqual(defaultFixtureTools.map((tool) => tool.name));
      fixture.setTools([{ name: "archive_record", description: "Archives a record.", inputSchema: { type: "object" } }]);
      expect((await introspect({ url: fixture.url }, { policy })).tools).toStrictEqual([
        { name: "archive_record", description: "Archives a record.", inputSchema: { type: "object" } },
      ]);
    } finally {
      await fixture.close();
    }
  });

  it("stops at the page limit", async () => {
    const fixture = await startFixtureServer({ pageSize: 1 });
    try {
      await expect(introspect({ url: fixture.url }, { policy, maxPages: 2 })).rejects.toThrow(
        new IntrospectionError(`${fixture.url} lists its tools in more than 2 pages; Toolgate stops reading there.`),
      );
    } finally {
      await fixture.close();
    }
  });

  it("explains a tool list that breaks the MCP schema", async () => {
    const fixture = await startFixtureServer({ tools: [{ name: "broken", inputSchema: { type: "string" } }] });
    try {
      await expect(introspect({ url: fixture.url }, { policy })).rejects.toThrow(
        new IntrospectionError(`${fixture.url} returned something that is not valid MCP: tools.0.inputSchema.type: Invalid input: expected "object".`),
      );
    } finally {
      await fixture.close();
    }
  });

  it("sends the credential headers, and explains a refusal without them", async () => {
    const requireHeader = { name: "Authorization", value: "Bearer fixture-secret" };
    const fixture = await startFixtureServer({ requireHeader });
    try {
      const declared = await introspect({ url: fixture.url, headers: { [requireHeader.name]: requireHeader.value } }, { policy });
      expect(declared.tools).toHaveLength(defaultFixtureTools.length);
      await expect(introspect({ url: fixture.url, headers: { Authorization: "Bearer wrong" } }, { policy })).rejects.toThrow(
        new IntrospectionError(`${fixture.url} refused the request (HTTP 401). Check the credential headers configured for this server.`),
      );
    } finally {
      await fixture.close();
    }
  });
});

describe("introspection failures", () => {
  it("explains an unreachable port", async () => {
    const url = `http://127.0.0.1:${await freePort()}/mcp`;
    await expect(introspect({ url }, { policy })).rejects.toThrow(new IntrospectionError(`Could not connect to ${url}: connection refused.`));
  });

  it.each<[GarbageKind, string | RegExp]>([
    ["not-json", /^http:\/\/127\.0\.0\.1:\d+\/mcp returned something that is not valid MCP: /],
    ["not-mcp-404", /^http:\/\/127\.0\.0\.1:\d+\/mcp did not answer as an MCP server \(HTTP 404\)\.$/],
    ["huge", "The server's response exceeded the 5 MB limit."],
  ])("explains a %s server promptly", async (kind, message) => {
    const garbage = await startGarbageServer(kind);
    const started = Date.now();
    try {
      const failure = introspect({ url: garbage.url }, { policy });
      await expect(failure).rejects.toBeInstanceOf(IntrospectionError);
      await expect(failure).rejects.toThrow(message);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await garbage.close();
    }
  });

  describe("against misbehaving HTTP servers", () => {
    let base: string;
    const server = http.createServer((req, res) => {
      req.resume();
      if (req.url === "/endless-event-stream") {
        // One event that never ends: the SDK would wait for its answer forever.
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write("data: ");
        const chunk = "x".repeat(16 * 1024);
        const writeMore = () => {
          while (!res.destroyed) if (!res.write(chunk)) return void res.once("drain", writeMore);
        };
        writeMore();
      }
      // Anything else never answers.
    });
    beforeAll(async () => {
      base = await listenOnLoopback(server);
    });
    afterAll(() => closeServer(server));

    it("gives up on a silent server after the timeout", async () => {
      await expect(introspect({ url: `${base}/silent` }, { policy, timeoutMs: 500 })).rejects.toThrow(
        new IntrospectionError(`${base}/silent did not answer within 0.5 s.`),
      );
    });

    it("stops an event stream at the size limit instead of waiting for the timeout", async () => {
      const started = Date.now();
      await expect(introspect({ url: `${base}/endless-event-stream` }, { policy, maxResponseBytes: 256 * 1024 })).rejects.toThrow(
        new IntrospectionError("The server's response exceeded the 256 KB limit."),
      );
      expect(Date.now() - started).toBeLessThan(5_000);
    });
  });

  it("refuses the cloud metadata address before connecting", async () => {
    const refusal = introspect({ url: "http://169.254.169.254/mcp" }, { policy });
    await expect(refusal).rejects.toBeInstanceOf(ValidationError);
    await expect(refusal).rejects.toThrow(/^http:\/\/169\.254\.169\.254\/mcp points at a link-local address \(169\.254\.169\.254\)/);
  });

  it("refuses a loopback server under the production policy", async () => {
    const fixture = await startFixtureServer();
    try {
      await expect(introspect({ url: fixture.url }, { policy: { allow: [] } })).rejects.toBeInstanceOf(ValidationError);
    } finally {
      await fixture.close();
    }
  });
});
