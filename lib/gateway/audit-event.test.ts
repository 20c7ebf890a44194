import { describe, expect, it } from "vitest";
import { auditOf, auditOfJournalLine, decisionLine, forwardingLine, type GatewayAuditEvent, journalLine } from "./audit-event";

// The user an agent acted for rides along in the event and its journal line, and lands in the details.

const ada = { issuer: "https://idp.example.com", subject: "user-ada", name: "Ada Lovelace" };
const event: GatewayAuditEvent = { agentId: "a-1", agentName: "helper", onBehalfOf: ada, tool: "read", decision: "allowed", latencyMs: 3, correlationId: "c-1", method: "tools/call" };

describe("gateway audit events of an agent acting for a user", () => {
  it("keep the agent as the actor and name the user in the details", () => {
    const audit = auditOf(event, "k-1");
    expect(audit.actor).toEqual({ id: "a-1", label: "agent:helper" });
    expect(audit.details).toMatchObject({ onBehalfOf: "Ada Lovelace", userSubject: "user-ada", userIssuer: ada.issuer, caller: "user Ada Lovelace via agent helper" });
  });

  it("name the subject when the token had no name, and nothing for an agent acting for itself", () => {
    expect(auditOf({ ...event, onBehalfOf: { ...ada, name: null } }, "k-2").details).toMatchObject({ onBehalfOf: "user-ada", caller: "user user-ada via agent helper" });
    expect(auditOf({ ...event, onBehalfOf: null }, "k-3").details).not.toHaveProperty("onBehalfOf");
  });

  it("survive the journal, for decisions and for calls interrupted at their backend", () => {
    const decided = auditOfJournalLine(journalLine.parse(JSON.parse(decisionLine(event, "k-4", 1_000))));
    expect(decided.audit.details).toMatchObject({ caller: "user Ada Lovelace via agent helper", decision: "allowed" });
    const call = { agentId: "a-1", agentName: "helper", onBehalfOf: ada, tool: "read", correlationId: "c-1", method: "tools/call" as const };
    const interrupted = auditOfJournalLine(journalLine.parse(JSON.parse(forwardingLine(call, "k-5", 1_000))));
    expect(interrupted.audit.details).toMatchObject({ userSubject: "user-ada", decision: "interrupted" });
    // Lines written before the field existed still parse.
    const older: GatewayAuditEvent = { ...event, onBehalfOf: undefined };
    expect(auditOfJournalLine(journalLine.parse(JSON.parse(decisionLine(older, "k-6", 1_000)))).audit.details).not.toHaveProperty("userSubject");
  });
});

describe("the policy set a gateway event names", () => {
  it("lands in the details as policySet, and survives the journal for decisions and interrupted calls", () => {
    const hash = "a".repeat(64);
    expect(auditOf({ ...event, policySet: hash }, "k-7").details).toMatchObject({ policySet: hash });
    expect(auditOf(event, "k-8").details).not.toHaveProperty("policySet");
    const decided = auditOfJournalLine(journalLine.parse(JSON.parse(decisionLine({ ...event, policySet: hash }, "k-9", 1_000))));
    expect(decided.audit.details).toMatchObject({ policySet: hash });
    const call = { agentId: "a-1", agentName: "helper", tool: "read", correlationId: "c-1", method: "tools/call" as const, policySet: hash };
    expect(auditOfJournalLine(journalLine.parse(JSON.parse(forwardingLine(call, "k-10", 1_000)))).audit.details).toMatchObject({ policySet: hash, decision: "interrupted" });
  });
});
