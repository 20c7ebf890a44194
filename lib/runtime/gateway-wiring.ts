import { forgetAgentKeys } from "@/lib/gateway/agent-cache";
import { forgetAccessTokens } from "@/lib/gateway/credentials";
import { auditQueueDepth } from "@/lib/gateway/audit-queue";
import { backendStates, watchBackendTools } from "@/lib/gateway/backends";
import { compareWithPinned } from "@/lib/gateway/drift";
import { onResolutionChange } from "@/lib/gateway/invalidation";
import { resumptionsChannel, resumptionsDoneChannel, wakeAllResumptionWaiters, wakeResumptionWaiter } from "@/lib/gateway/call-resumptions";
import { deliverForwardedSessionMessage, dropLegacySession, recheckLegacySessions } from "@/lib/gateway/legacy";
import { takeForwardedResumption, takeMissedResumptions } from "@/lib/gateway/resumption-holder";
import { sessionMessagesChannel } from "@/lib/gateway/session-messages";
import { sessionsChannel } from "@/lib/gateway/session-store";
import { noteViewsChanged } from "@/lib/gateway/list-changes";
import { readGatewayGaugesFrom } from "@/lib/observability/metrics";
import { refreshOutboundPolicy } from "@/lib/settings/outbound";
import { onChannel } from "@/lib/db/listener";
import { singleton } from "./singleton";

// What connects the gateway's parts, stated in one place instead of done by importing a module
// (see docs/decisions/020-explicit-wiring.md). Every process that serves the gateway calls it before
// the first request: the front server and `next dev` through startBackgroundDuties, the bench
// gateway, and the tests' gateway server. Nothing here runs per request.

/** Wires drift checking, cache invalidation, the outbound rule and the gateway's gauges; once per process, however often called. */
export function wireGateway(): void {
  singleton("gatewayWiring", () => {
    // Every session the pool opens, and every tools/list_changed, goes through the drift comparison.
    watchBackendTools(compareWithPinned);
    // Keys and agents change under the same signal as resolution (the resolution cache subscribes itself).
    onResolutionChange(forgetAgentKeys);
    // So do trusted issuers and token bindings (migrations 20261130230000 and 20261130230500).
    onResolutionChange(forgetAccessTokens);
    // Settings changes notify too (migration 20261125000000_approvals_audit_chain): the outbound rule is read again into the
    // live policy the gateway's connections are checked against (lib/settings/outbound.ts).
    onResolutionChange(() => void refreshOutboundPolicy().catch((error: unknown) => console.error("[toolgate] reading the outbound rule failed:", error)));
    // 2025-era sessions are told when their lists change (notifications/*/list_changed).
    onResolutionChange(noteViewsChanged);
    // A 2025-era session deleted on any instance is dropped here too (decision 038), over the same LISTEN connection.
    onChannel(sessionsChannel, { notify: dropLegacySession, connection: recheckLegacySessions });
    // A client's cancel or answer that reached another instance than the call it concerns (decision 038).
    onChannel(sessionMessagesChannel, { notify: deliverForwardedSessionMessage });
    // A 2026-07-28 retry of a call waiting for input here that reached another instance, and its outcome (decision 038).
    onChannel(resumptionsChannel, { notify: takeForwardedResumption, connection: takeMissedResumptions });
    onChannel(resumptionsDoneChannel, { notify: wakeResumptionWaiter, connection: wakeAllResumptionWaiters });
    readGatewayGaugesFrom({ backendStates, auditQueueDepth });
    return true;
  });
}
