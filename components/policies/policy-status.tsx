import type { PolicySetStatus } from "@/lib/generated/prisma/enums";
import { Badge, type Tone } from "../ui/badges";

const tones: Record<PolicySetStatus, Tone> = { draft: "neutral", proposed: "info", approved: "good", rejected: "bad", active: "good", superseded: "neutral" };

/** A policy set's status, and "shadow" beside it while it is decided beside the active set. */
export function PolicyStatusBadge({ status, shadow }: { status: PolicySetStatus; shadow: boolean }) {
  return (
    <span className="inline-flex gap-1">
      <Badge tone={tones[status]}>{status}</Badge>
      {shadow && <Badge tone="warn">shadow</Badge>}
    </span>
  );
}
