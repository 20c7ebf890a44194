import type { PolicyAgent, PolicyTool } from "./entities";

// Plain facts for the policy tests and the benchmark: an agent and a tool, overridable field by field.

export function anAgent(overrides: Partial<PolicyAgent> = {}): PolicyAgent {
  return { agentId: "agent-1", name: "billing-bot", teamId: "team-payments", environment: "prod", scopes: ["tools:read", "tools:call"], onBehalfOf: null, ...overrides };
}

export function aTool(overrides: Partial<PolicyTool> = {}): PolicyTool {
  return {
    serverId: "server-1",
    serverName: "com.example/crm",
    versionId: "version-1",
    version: "1.2.0",
    toolName: "update_contact",
    riskTier: "medium",
    readOnly: false,
    destructive: false,
    idempotent: false,
    openWorld: false,
    dataClassification: "internal",
    certified: true,
    reviewerRequiresApproval: false,
    approvalEnvironments: [],
    ...overrides,
  };
}
