import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { isListening, listenerApplicationName, onChannel, startListener } from "./listener";

// The process's one LISTEN connection against a real database: channels added before and after it
// connects, told when it drops and comes back.

let other: pg.Client;
let stop: () => Promise<void>;
const before: string[] = [];
const connection: boolean[] = [];

beforeAll(async () => {
  other = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await other.connect();
  onChannel("toolgate_test_before", { notify: (payload) => before.push(payload), connection: (up) => connection.push(up) });
  stop = await startListener();
});

afterAll(async () => {
  await stop();
  await other.end();
});

const listenerPids = async () =>
  (await other.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()", [listenerApplicationName])).rows.map((row) => row.pid);

describe("the database listener", () => {
  it("delivers a channel registered before it started, with the payload", async () => {
    expect(isListening()).toBe(true);
    expect(connection).toEqual([true]);
    await other.query("SELECT pg_notify('toolgate_test_before', 'hello')");
    await expect.poll(() => before).toEqual(["hello"]);
  });

  it("listens to a channel registered while connected, on the same one connection", async () => {
    const later: string[] = [];
    const unregister = onChannel("toolgate_test_later", { notify: (payload) => later.push(payload) });
    await expect.poll(async () => (await other.query("SELECT pg_notify('toolgate_test_later', 'one')"), later.length), { timeout: 2_000 }).toBeGreaterThan(0);
    expect(await listenerPids()).toHaveLength(1);
    unregister();
    const seen = later.length;
    await other.query("SELECT pg_notify('toolgate_test_later', 'two')");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(later).toHaveLength(seen);
  });

  it("tells every channel when the connection drops and when it is back", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const [pid] = await listenerPids();
    await other.query("SELECT pg_terminate_backend($1)", [pid]);
    await expect.poll(() => connection, { timeout: 5_000 }).toEqual([true, false, true]);
    await other.query("SELECT pg_notify('toolgate_test_before', 'again')");
    await expect.poll(() => before).toContain("again");
    logged.mockRestore();
  });

  it("refuses a channel name it could not put in a LISTEN statement", () => {
    for (const name of ["Upper", "with space", "semi;colon", "", "x".repeat(64)]) expect(() => onChannel(name, { notify: () => undefined })).toThrow(/Invalid notification channel name/);
  });
});
