import { describe, expect, it } from "vitest";
import { createAgent } from "@/lib/agents/agents";
import { createApiKey } from "@/lib/agents/keys";
import { decideGrant, grantAccess } from "@/lib/agents/grants";
import { registerServerSchema } from "@/lib/catalog/schemas";
import { decidePromotion, requestPromotion } from "@/lib/certification/promotion";
import { ValidationError } from "@/lib/errors";
import { checkFile, parseEvidence } from "@/lib/evidence/parse";
import { engageKillSwitch } from "@/lib/killswitch/switches";
import { createTeam } from "@/lib/teams/manage";
import { createUser } from "@/lib/users/manage";
import { parseInput, reasonText } from "@/lib/validation";
import { makeTeam, makeUser } from "@/test/factories";

// Every name, title and reason a person types is shown to other people, so none may carry a control
// character or a bidirectional override (U+202E makes "evil\u202Etxt.exe" read as "evilexe.txt").
const rlo = "\u202e";
const refused = /control or bidirectional-override characters/;
const uuid = "0b7c6a1e-2f1d-4b7a-9d6e-1f2a3b4c5d6e";

async function expectRefused(attempt: Promise<unknown>, message: RegExp = refused) {
  await expect(attempt).rejects.toThrow(ValidationError);
  await expect(attempt).rejects.toThrow(message);
}

// Team, person and agent names also have a character whitelist, which speaks first.
const notAllowed = /control or bidirectional-override characters|may contain/;

describe("names, titles and reasons with control or bidi characters", () => {
  it("are refused for teams, users, agents and API keys", async () => {
    const admin = await makeUser(["admin"]);
    const team = await makeTeam([admin]);
    await expectRefused(createTeam(admin, { name: `Payments${rlo}` }), notAllowed);
    await expectRefused(createUser(admin, { email: "ada@example.com", name: `Ada${rlo}`, roles: ["owner"] }), notAllowed);
    await expectRefused(createAgent(admin, { name: `support${rlo}bot`, teamId: team.id, environment: "dev" }), notAllowed);
    await expectRefused(createAgent(admin, { name: "support-bot", teamId: team.id, environment: "dev", description: `Answers${rlo} tickets` }));
    const agent = await createAgent(admin, { name: "support-bot", teamId: team.id, environment: "dev" });
    await expectRefused(createApiKey(admin, { agentId: agent.id, label: `laptop${rlo}` }));
    await expectRefused(grantAccess(admin, { agentId: agent.id, serverId: uuid, tools: [`read${rlo}`] }));
  });

  it("are refused for catalog entries: title, free text, dependencies, authority boundaries", () => {
    const entry = {
      name: "com.example/crm",
      endpointUrl: "https://mcp.example.com/mcp",
      title: "CRM",
      purpose: "Customer records.\nRead only.",
      teamId: uuid,
      environments: ["dev"],
      classification: "internal",
      version: { version: "1.0.0" },
    };
    expect(parseInput(registerServerSchema, entry).purpose).toBe("Customer records.\nRead only.");
    for (const change of [
      { title: `CRM${rlo}` },
      { title: "CRM\nInjected" },
      { purpose: `Reads${rlo} records` },
      { threatModel: "a\u0000b" },
      { version: { version: "1.0.0", dependencies: [{ name: `left${rlo}pad`, version: "1.0.0" }] } },
      { version: { version: "1.0.0", mitigations: `none${rlo}` } },
      { approvalTools: { prod: [`delete${rlo}`] } },
    ]) {
      expect(() => parseInput(registerServerSchema, { ...entry, ...change }), JSON.stringify(change)).toThrow(refused);
    }
  });

  it("are refused for evidence: the file name, the title and every field", async () => {
    const bytes = new TextEncoder().encode("{}");
    expect(() => checkFile({ name: `evil${rlo}txt.exe`, bytes }, 1024)).toThrow(refused);
    expect(() => checkFile({ name: "report\u0007.pdf", bytes }, 1024)).toThrow(ValidationError);
    expect(checkFile({ name: "report.pdf", bytes }, 1024).name).toBe("report.pdf");
    const limits = { maxUploadBytes: 1024 };
    await expectRefused(parseEvidence({ kind: "approval", title: `Sign-off${rlo}`, approver: "Ada", decision: "approved" }, limits));
    await expectRefused(parseEvidence({ kind: "approval", approver: "Ada", decision: "approved", note: `Fine${rlo}.` }, limits));
    await expectRefused(parseEvidence({ kind: "approval", approver: `Ada${rlo}`, decision: "approved" }, limits));
    await expectRefused(parseEvidence({ kind: "compliance_attestation", framework: "SOC 2", scope: "All\u0000" }, limits));
    const note = await parseEvidence({ kind: "approval", approver: "Ada", decision: "approved", note: "Line one.\nLine two." }, limits);
    expect(note.record).toMatchObject({ note: "Line one.\nLine two." });
  });

  it("are refused for the reasons of kill switches, grant and promotion decisions and reviews", async () => {
    const admin = await makeUser(["admin"]);
    const approver = await makeUser(["approver"]);
    await expectRefused(engageKillSwitch(admin, { scope: "global", reason: `Incident${rlo} 42` }));
    await expectRefused(decideGrant(approver, { grantId: uuid, decision: "deny", reason: `No${rlo}pe` }));
    await expectRefused(decidePromotion(approver, { promotionId: uuid, decision: "deny", reason: `No${rlo}pe` }));
    const owner = await makeUser(["owner"]);
    await expectRefused(requestPromotion(owner, { versionId: uuid, environment: "prod", rolloutPlan: `Roll out${rlo} slowly.`, rollbackPlan: "Roll back at once.", killSwitchPlan: "Engage the switch." }));
    expect(() => parseInput(reasonText(2000), `Looks good${rlo}`)).toThrow(refused);
    expect(parseInput(reasonText(2000), "Looks good.\nShip it.")).toBe("Looks good.\nShip it.");
  });
});
