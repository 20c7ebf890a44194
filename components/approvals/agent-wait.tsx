"use client";

import { durationText } from "@/components/ui/time-left";
import { useNow } from "@/components/ui/use-now";

const when = (time: number) => `${new Date(time).toISOString().slice(0, 16).replace("T", " ")} UTC`;

interface Props {
  /** Until when an agent's call waits for the decision (ISO); null when none has waited. */
  waitsUntil: string | null;
  /** `approvals.validMinutes`: how long an approval lets the identical call through. */
  validMinutes: number;
  /** When the server rendered the page (ISO): the first render's clock, so the page hydrates as rendered. */
  renderedAt: string;
}

/**
 * What a decision does for the agent, ticking every second: while its call waits, when it gives up; after,
 * that approving still lets its next identical call through (docs/decisions/023-abandoned-approval-requests.md).
 */
export function AgentWait({ waitsUntil, validMinutes, renderedAt }: Props) {
  const now = useNow(new Date(renderedAt).getTime());
  const end = waitsUntil === null ? null : new Date(waitsUntil).getTime();
  if (end !== null && end > now) {
    return (
      <span data-testid="agent-wait">
        The agent gives up in <time dateTime={waitsUntil!}>{durationText(end - now)}</time>: decide by then and its waiting call goes ahead or is refused.
      </span>
    );
  }
  return (
    <span data-testid="agent-wait">
      The agent stopped waiting; approving now lets its next identical call through until {when(now + validMinutes * 60_000)} (once).
    </span>
  );
}
