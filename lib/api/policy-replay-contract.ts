import { z } from "zod";
import { explainInput } from "@/lib/policy/explain";
import { replayInput } from "@/lib/policy/replay-runs";

// The policy replay and "why" API's shapes (issue #18). Requests reuse the services' input schemas;
// responses are described here so the OpenAPI document comes from the same zod schemas.

export const replayIdParams = z.object({ id: z.uuid({ error: "Replay ids are UUIDs." }) });

export const startReplayBody = replayInput.meta({ id: "StartPolicyReplay" });
export const explainBody = explainInput.meta({ id: "PolicyQuestion" });

const decision = z.enum(["allow", "deny", "approval"]).meta({ id: "PolicyDecision" });
const setRef = z.object({ id: z.uuid(), number: z.number().int(), hash: z.string() });
const changes = ["allowToDeny", "denyToAllow", "allowToApproval", "approvalToAllow", "approvalToDeny", "denyToApproval"] as const;

const replayReport = z
  .object({
    calls: z.number().int().meta({ description: "Replayable calls in the window: unchanged + changed + skipped." }),
    unchanged: z.number().int(),
    skipped: z.number().int().meta({ description: "Calls whose agent or tool version is no longer known." }),
    changes: z.object(Object.fromEntries(changes.map((change) => [change, z.number().int()])) as Record<(typeof changes)[number], z.ZodNumber>),
    groups: z
      .array(
        z.object({
          agentId: z.uuid(),
          agentName: z.string(),
          serverName: z.string(),
          tool: z.string(),
          from: decision,
          to: decision,
          count: z.number().int(),
          examples: z.array(z.string()).max(5).meta({ description: "Audit event ids of calls in the group." }),
        }),
      )
      .max(100)
      .meta({ description: "By agent × tool × change, largest first." }),
    argumentsUnknown: z.boolean().meta({ description: "The candidate reads arguments, which the audit trail does not keep: it was decided without them." }),
    baseline: setRef,
    candidate: setRef,
  })
  .meta({ id: "PolicyReplayReport" });

export const replayRun = z
  .object({
    id: z.uuid(),
    policySetId: z.uuid(),
    windowFrom: z.iso.datetime(),
    windowTo: z.iso.datetime(),
    status: z.enum(["queued", "running", "done", "failed"]),
    processed: z.number().int(),
    total: z.number().int(),
    report: replayReport.nullable(),
    error: z.string().nullable(),
    createdAt: z.iso.datetime(),
    finishedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: "PolicyReplay" });

export const latestReplayBody = z.object({ replay: replayRun.nullable() }).meta({ id: "LatestPolicyReplay" });

export const explanation = z
  .object({
    decision,
    policyIds: z.array(z.string()).meta({ description: "The forbids for a deny, the permits for an allow or an approval; empty for a deny by default." }),
    errors: z.array(z.object({ policyId: z.string(), message: z.string() })),
    policySet: setRef,
    agent: z.object({ id: z.uuid(), name: z.string() }),
    tool: z.object({ server: z.string(), name: z.string(), version: z.string() }),
  })
  .meta({ id: "PolicyExplanation" });
