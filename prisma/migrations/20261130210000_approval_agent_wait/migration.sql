-- Until when an agent's call waits for the request's decision (the gateway's approvals.waitSeconds from
-- the call's start; a repeat of the call waiting longer moves it on, a call that goes away early moves it
-- back to then). Null: no call has waited since the column was added. The inbox shows a request whose
-- agent stopped waiting apart from those an agent waits on (docs/decisions/023-abandoned-approval-requests.md).
ALTER TABLE "tool_call_approvals" ADD COLUMN "agent_waits_until" TIMESTAMPTZ(3);
