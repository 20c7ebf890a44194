import { z } from "zod";
import { DataClassification, Environment } from "@/lib/generated/prisma/enums";
import { approvalRequired } from "./default-policies";

// Policies people often want (issue #18), as text to append to a set and edit. Each template takes a
// few parameters, parsed with zod, so a picker can offer fields and the text stays valid Cedar. Pure and
// free of server-only imports: the editor's picker runs them in the browser.

/** The classification levels from least to most sensitive: the Prisma enum's declared order. */
export const classificationOrder = Object.values(DataClassification);

// Cedar string literals escape like JSON for what the schemas below admit (no control characters).
const cedarString = (value: string) => JSON.stringify(value);
const hour = (label: string) => z.coerce.number({ error: `${label} must be a number.` }).int(`${label} must be a whole hour.`).min(0, `${label} must be 0–24.`).max(24, `${label} must be 0–24.`);

const businessHoursParameters = z
  .object({
    environment: z.enum(Environment, { error: "Environment must be dev, staging or prod." }).default("prod"),
    fromHour: hour("From hour").default(9),
    toHour: hour("To hour").default(17),
  })
  .refine(({ fromHour, toHour }) => fromHour < toHour, { message: "From hour must be before to hour.", path: ["toHour"] });

const classificationParameters = z.object({
  atLeast: z.enum(DataClassification, { error: "Classification must be public, internal, confidential or restricted." }).default("confidential"),
});

const teamParameters = z.object({ teamId: z.uuid({ error: "Team must be a team's id." }) });

/** Destructive tools may be called in an environment only Monday to Friday, between two UTC hours. */
export function businessHoursForDestructiveTools(input: z.input<typeof businessHoursParameters> = {}): string {
  const { environment, fromHour, toHour } = businessHoursParameters.parse(input);
  return `@id(${cedarString(`business-hours-destructive-${environment}`)})
// Destructive tools in ${environment} only Monday to Friday, ${fromHour}:00 to ${toHour}:00 UTC.
forbid (principal, action == Toolgate::Action::"tools/call", resource)
when { resource.destructive && context.environment == ${cedarString(environment)} }
unless { context.dayOfWeek >= 1 && context.dayOfWeek <= 5 && context.hourOfDay >= ${fromHour} && context.hourOfDay < ${toHour} };
`;
}

/** A person approves each call of a tool touching data classified at a level or above. */
export function approvalForClassifiedData(input: z.input<typeof classificationParameters> = {}): string {
  const { atLeast } = classificationParameters.parse(input);
  const levels = classificationOrder.slice(classificationOrder.indexOf(atLeast));
  return `@id(${cedarString(`classified-data-approval-${atLeast}`)})
@approval(${cedarString(approvalRequired)})
// Calls of tools touching ${levels.join(" or ")} data need a person's approval.
permit (principal, action == Toolgate::Action::"tools/call", resource)
when { [${levels.map(cedarString).join(", ")}].contains(resource.dataClassification) };
`;
}

/** A team's agents neither see nor call open-world tools (tools that reach outside systems). */
export function denyOpenWorldToTeam(input: z.input<typeof teamParameters>): string {
  const { teamId } = teamParameters.parse(input);
  return `@id(${cedarString(`no-open-world-${teamId}`)})
// This team's agents neither list nor call open-world tools.
forbid (principal in Toolgate::Team::${cedarString(teamId)}, action, resource)
when { resource.openWorld };
`;
}

export interface TemplateParameter {
  name: string;
  label: string;
  /** The value a field starts with; absent when the author must give one. */
  defaultValue?: string;
  /** A closed list of values, when there is one. */
  options?: readonly string[];
}

export interface PolicyTemplate {
  key: "business-hours" | "classified-approval" | "no-open-world";
  label: string;
  description: string;
  parameters: readonly TemplateParameter[];
  text: (values: Record<string, string>) => string;
}

export const policyTemplates: readonly PolicyTemplate[] = [
  {
    key: "business-hours",
    label: "Business hours for destructive tools",
    description: "Refuses calls of destructive tools in an environment outside Monday to Friday, between two hours (UTC).",
    parameters: [
      { name: "environment", label: "Environment", defaultValue: "prod", options: Object.values(Environment) },
      { name: "fromHour", label: "From hour (UTC)", defaultValue: "9" },
      { name: "toHour", label: "To hour (UTC)", defaultValue: "17" },
    ],
    text: (values) => businessHoursForDestructiveTools(values),
  },
  {
    key: "classified-approval",
    label: "Approval for classified data",
    description: "Sends each call of a tool touching data classified at this level or above to a person for approval.",
    parameters: [{ name: "atLeast", label: "Classification at least", defaultValue: "confidential", options: classificationOrder }],
    text: (values) => approvalForClassifiedData(values),
  },
  {
    key: "no-open-world",
    label: "No open-world tools for a team",
    description: "Hides open-world tools (tools that reach outside systems) from a team's agents and refuses their calls.",
    parameters: [{ name: "teamId", label: "Team id" }],
    text: (values) => denyOpenWorldToTeam({ teamId: values.teamId ?? "" }),
  },
];
