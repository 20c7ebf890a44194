// Toolgate's Cedar schema (issue #18): what a policy may name about the agent, the tool and the call.
// Every attribute is a fact the gateway knows when it resolves an agent's view; a policy naming
// anything else fails validation. Held as a string, not a file, so bundling needs nothing special.

export const policyNamespace = "Toolgate";

export const cedarSchemaText = String.raw`
namespace Toolgate {
  // The person an agent acts for, when an identity provider vouched for one (docs/decisions/026).
  type User = { issuer: String, subject: String, name?: String };

  entity Team;

  entity Agent in [Team] {
    name: String,
    team: String,
    environment: String,
    scopes: Set<String>,
    user?: User,
  };

  entity Server;

  entity Tool in [Server] {
    server: String,
    version: String,
    name: String,
    // Absent when the version was certified without one.
    riskTier?: String,
    readOnly: Bool,
    destructive: Bool,
    idempotent: Bool,
    openWorld: Bool,
    dataClassification: String,
    certified: Bool,
    // The reviewer marked this tool as needing a person's approval for each call.
    reviewerRequiresApproval: Bool,
    // The environments in which the entry requires approval for this tool.
    approvalEnvironments: Set<String>,
  };

  // A call's top-level scalar arguments, as text by argument name: context.arguments.hasTag("path").
  entity Arguments tags String;

  type CallContext = {
    environment: String,
    hourOfDay: Long,
    dayOfWeek: Long,
    clientAddress?: ipaddr,
    scopes: Set<String>,
    arguments: Arguments,
  };

  action "tools/list" appliesTo { principal: [Agent], resource: [Tool], context: CallContext };
  action "tools/call" appliesTo { principal: [Agent], resource: [Tool], context: CallContext };
  // A resource read or a prompt get (decision 032): the resource is a Tool entity whose name is the
  // resource's URI (or its template's URI template) or the prompt's name on its server; read-only.
  action "resources/read" appliesTo { principal: [Agent], resource: [Tool], context: CallContext };
  action "prompts/get" appliesTo { principal: [Agent], resource: [Tool], context: CallContext };
}
`;

export const policyActions = ["tools/list", "tools/call", "resources/read", "prompts/get"] as const;
export type PolicyAction = (typeof policyActions)[number];
