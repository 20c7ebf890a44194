import { ValidationError } from "@/lib/errors";
import type { ApprovalTools } from "./schemas";

/** Authority boundaries may only name tools the server declares. */
export function assertKnownApprovalTools(approvalTools: ApprovalTools, toolNames: string[]): void {
  const known = new Set(toolNames);
  const unknown = [...new Set(Object.values(approvalTools).flat())].filter((name) => !known.has(name));
  if (unknown.length) {
    throw new ValidationError(`Authority boundaries name tools the server does not declare: ${unknown.join(", ")}.`, {
      approvalTools: [`Unknown tools: ${unknown.join(", ")}.`],
    });
  }
}
