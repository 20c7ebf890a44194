"use client";

import Link from "next/link";
import { useActionState } from "react";
import { Button, FormMessage, TextField } from "@/components/ui/form-fields";
import { type ActionState, idle, valueText } from "@/lib/action-state";
import { type KillScopeName, type KillSwitchView, killSwitchTarget } from "@/lib/killswitch/types";

type SwitchAction = (state: ActionState, form: FormData) => Promise<ActionState>;

export interface KillSwitchTargetInput {
  scope: KillScopeName;
  serverId?: string;
  versionId?: string;
  toolName?: string;
}

interface Props {
  /** The engaged switches to list, each with a Clear form. */
  switches: readonly KillSwitchView[];
  clear: SwitchAction;
  /** What the Engage form stops; without it (or without `engage`) the panel only lists and clears. */
  target?: KillSwitchTargetInput;
  engage?: SwitchAction;
  /** False for people who may only look: no forms. */
  canManage?: boolean;
  heading?: string;
}

const engageLabels: Record<KillScopeName, string> = {
  global: "Stop every tool call",
  server: "Stop this server",
  version: "Stop this version",
  tool: "Stop this tool",
};

const formatTime = (date: Date) => `${new Date(date).toISOString().replace("T", " ").slice(0, 16)} UTC`;

function sameTarget(view: KillSwitchView, target: KillSwitchTargetInput): boolean {
  return (
    view.scope === target.scope &&
    view.serverId === (target.serverId ?? null) &&
    view.versionId === (target.versionId ?? null) &&
    view.toolName === (target.toolName ?? null)
  );
}

/** The reason a switch is set or cleared, kept after a refusal so it can be corrected. */
function ReasonField({ label, state }: { label: string; state: ActionState }) {
  const errors = state.status === "error" ? state.fieldErrors : {};
  return (
    <div className="min-w-64 flex-1">
      <TextField
        label={label}
        name="reason"
        required
        minLength={3}
        maxLength={1000}
        defaultValue={state.status === "error" ? valueText(state.values ?? {}, "reason") : ""}
        errors={errors.reason}
      />
    </div>
  );
}

function ClearForm({ id, clear }: { id: string; clear: SwitchAction }) {
  const [state, action, pending] = useActionState(clear, idle);
  return (
    <form action={action} noValidate aria-label="Clear kill switch" className="mt-3 flex flex-wrap items-end gap-3">
      <input type="hidden" name="id" value={id} />
      <ReasonField label="Reason for clearing" state={state} />
      <Button type="submit" variant="secondary" disabled={pending}>
        Clear
      </Button>
      <FormMessage state={state} />
    </form>
  );
}

function EngageForm({ target, engage }: { target: KillSwitchTargetInput; engage: SwitchAction }) {
  const [state, action, pending] = useActionState(engage, idle);
  return (
    <form action={action} noValidate aria-label="Engage kill switch" className="flex flex-wrap items-end gap-3">
      <input type="hidden" name="scope" value={target.scope} />
      {target.serverId && <input type="hidden" name="serverId" value={target.serverId} />}
      {target.versionId && <input type="hidden" name="versionId" value={target.versionId} />}
      {target.toolName && <input type="hidden" name="toolName" value={target.toolName} />}
      <ReasonField label="Reason for stopping" state={state} />
      <Button type="submit" variant="danger" disabled={pending}>
        {engageLabels[target.scope]}
      </Button>
      <FormMessage state={state} />
    </form>
  );
}

/** Engaged kill switches for a target, each clearable with a reason, and a form to engage one. */
export function KillSwitchPanel({ switches, clear, target, engage, canManage = true, heading = "Kill switches" }: Props) {
  const engaged = target ? switches.some((s) => sameTarget(s, target)) : false;
  return (
    <section aria-label={heading} className="space-y-4 rounded-lg border border-slate-200 bg-white p-6">
      <h2 className="text-lg font-semibold">{heading}</h2>
      {switches.length === 0 ? (
        <p className="text-sm text-slate-600">No kill switch is engaged here: calls flow normally.</p>
      ) : (
        <ul className="space-y-3" aria-label="Engaged kill switches">
          {switches.map((view) => (
            <li key={view.id} className="rounded border border-red-200 bg-red-50 p-4 text-sm" data-testid={`kill-switch-${view.id}`}>
              <p className="font-semibold text-red-900">
                Stops{" "}
                {view.serverId && view.scope !== "global" ? (
                  <Link href={`/catalog/${view.serverId}`} className="underline">
                    {killSwitchTarget(view)}
                  </Link>
                ) : (
                  killSwitchTarget(view)
                )}
              </p>
              <p className="mt-1 whitespace-pre-wrap break-words text-red-900">{view.reason}</p>
              <p className="mt-1 text-slate-600">
                Engaged {formatTime(view.engagedAt)}
                {view.engagedBy && ` by ${view.engagedBy}`}
              </p>
              {canManage && <ClearForm id={view.id} clear={clear} />}
            </li>
          ))}
        </ul>
      )}
      {canManage && target && engage && !engaged && <EngageForm target={target} engage={engage} />}
    </section>
  );
}
