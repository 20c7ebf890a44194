import { describe, expect, it } from "vitest";
import { type CallRelay, loggingLevelOf, relayBackendNotice, type RelayedNotification, requestedLoggingLevel } from "./call-relay";
import { cancellationReason, InFlightLeanCalls } from "./cancellation";

// The pure parts of decision 036: which backend messages reach the client, and which cancels reach a lean call.

function relayTo(relay: Partial<CallRelay>): { relay: CallRelay; sent: RelayedNotification[] } {
  const sent: RelayedNotification[] = [];
  return { sent, relay: { ...relay, notify: (notification) => (sent.push(notification), Promise.resolve()) } };
}

describe("relayBackendNotice", () => {
  it("relays the call's progress under the client's token, and nothing else it does not recognise", () => {
    const { relay, sent } = relayTo({ progressToken: "client-token" });
    relayBackendNotice(relay, 7, { method: "notifications/progress", params: { progressToken: 7, progress: 1, total: 2, message: "half", extra: "dropped" } } as never);
    relayBackendNotice(relay, 7, { method: "notifications/progress", params: { progressToken: 8, progress: 1 } } as never);
    relayBackendNotice(relay, 7, { method: "notifications/progress", params: { progressToken: 7, progress: "1" } } as never);
    relayBackendNotice(relay, 7, { method: "notifications/progress", params: { progressToken: 7, progress: 1, message: "x".repeat(5000) } } as never);
    relayBackendNotice(relay, 7, { method: "notifications/progress" });
    relayBackendNotice(relay, 7, { method: "notifications/resources/updated", params: { uri: "x" } } as never);
    expect(sent).toEqual([{ method: "notifications/progress", params: { progressToken: "client-token", progress: 1, total: 2, message: "half" } }]);
  });

  it("relays log messages at or above the client's level only, and none without a level", () => {
    const { relay, sent } = relayTo({ logLevel: "warning" });
    for (const level of ["debug", "info", "warning", "critical", "loud", 3]) relayBackendNotice(relay, 1, { method: "notifications/message", params: { level, data: { level } } } as never);
    relayBackendNotice(relay, 1, { method: "notifications/message", params: { level: "error", logger: "\u0000".repeat(300), data: 1 } } as never);
    expect(sent.map((notification) => (notification.params as { level: string }).level)).toEqual(["warning", "critical"]);
    const silent = relayTo({ progressToken: 1 });
    relayBackendNotice(silent.relay, 1, { method: "notifications/message", params: { level: "emergency", data: "x" } } as never);
    expect(silent.sent).toEqual([]);
  });

  it("a client that went away does not fail the call", async () => {
    const relay: CallRelay = { progressToken: 1, notify: () => Promise.reject(new Error("gone")) };
    expect(() => relayBackendNotice(relay, 1, { method: "notifications/progress", params: { progressToken: 1, progress: 1 } } as never)).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
  });
});

describe("log levels from clients", () => {
  it("takes only the protocol's levels", () => {
    expect(loggingLevelOf("notice")).toBe("notice");
    for (const value of ["NOTICE", "", "x".repeat(10_000), 3, null, undefined, {}, ["info"]]) expect(loggingLevelOf(value)).toBeUndefined();
    expect(requestedLoggingLevel({ method: "logging/setLevel", params: { level: "error" } })).toBe("error");
    expect(requestedLoggingLevel({ method: "logging/setLevel", params: { level: "nope" } })).toBeUndefined();
    expect(requestedLoggingLevel({ method: "tools/call", params: { level: "error" } })).toBeUndefined();
    expect(requestedLoggingLevel(null)).toBeUndefined();
  });
});

describe("InFlightLeanCalls", () => {
  const cancel = (requestId: unknown, reason?: unknown) => ({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId, reason } });

  it("aborts the call a cancel names, with an AbortError carrying the client's reason, once", () => {
    const calls = new InFlightLeanCalls();
    const signal = calls.start(5);
    const other = calls.start("5");
    expect(calls.cancel(cancel(5, "stop"))).toBe(true);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toMatchObject({ name: "AbortError", message: "stop" });
    expect(other.aborted).toBe(false);
    expect(calls.cancel(cancel(5))).toBe(false);
    calls.end(5, signal);
    calls.end("5", other);
    expect(calls.size).toBe(0);
  });

  it("cancels nothing for a malformed cancel, an unknown id or another message", () => {
    const calls = new InFlightLeanCalls();
    const signal = calls.start(1);
    for (const body of [cancel({ id: 1 }), cancel(1, 42), cancel("1"), cancel(2), cancel("x".repeat(300)), { method: "notifications/cancelled" }, { method: "tools/call", params: { requestId: 1 } }, null, "cancel", 1]) {
      expect(calls.cancel(body)).toBe(false);
    }
    expect(signal.aborted).toBe(false);
  });

  it("a reused id: the newer call is the one cancelled, and ending the older one leaves it registered", () => {
    const calls = new InFlightLeanCalls();
    const older = calls.start(1);
    const newer = calls.start(1);
    calls.end(1, older);
    expect(calls.cancel(cancel(1))).toBe(true);
    expect([older.aborted, newer.aborted]).toEqual([false, true]);
  });

  it("words any abort reason as a cancellation", () => {
    expect(cancellationReason(undefined)).toMatchObject({ name: "AbortError", message: "The client cancelled the request." });
    expect(cancellationReason("")).toMatchObject({ message: "The client cancelled the request." });
    const own = new DOMException("mine", "AbortError");
    expect(cancellationReason(own)).toBe(own);
    expect(cancellationReason(new Error("x"))).toMatchObject({ name: "AbortError" });
  });
});
