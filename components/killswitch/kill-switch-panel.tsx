"use client";

import Link from "next/link";
import { useActionState, useState } from "react";
import { Button, FormMessage, RequiredNote, SelectField, TextField, verbatimOptions } from "@/components/ui/form-fields";
import { type ActionState, idle, valueText } from "@/lib/action-state";
import { type KillScopeName, type KillSwitchView, killSwitchTarget } from "@/lib/killswitch/types";

type SwitchAction = (state: ActionState, form: FormData) => Promise<ActionState>;

export interface KillSwitchTargetInput {
  scope: KillScopeName;
  serverId?: string;
  versionId?: string;
  toolName?: string;
}

/** A catalog entry's server and the version shown, for stopping the server, that version or one of its tools. */
export interface KillSwitchEntry {
  serverId: string;
  versionId: string;
  version: string;
  tools: readonly string[];
}

interface Props {
  /** The engaged switches to list, each with a Clear form. */
  switches: readonly KillSwitchView[];
  clear: SwitchAction;
  /**
   * What the Engage form stops: one fixed target (the global switch asks for a confirmation first), or an
   * entry, whose form lets the person choose the server, the version or a tool. Without either (or
   * without `engage`) the panel only lists and clears.
   */
  target?: KillSwitchTargetInput;
  entry?: KillSwitchEntry;
  engage?: SwitchAction;
  /** False for people who may only look: no forms. */
  canManage?: boolean;
  heading?: string;
  /** What the panel says when no switch is engaged, where "calls flow normally" would not be true. */
  noneEngaged?: string;
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
      <RequiredNote />
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

/** Asks before the form is sent: the submit button is only inside the question. */
function Confirmation({ question, consequence, confirmLabel, pending }: { question: string; consequence: string; confirmLabel: string; pending: boolean }) {
  const [open, setOpen] = useState(false);
  if (!open) {
    return (
      <Button type="button" variant="danger" onClick={() => setOpen(true)}>
        {confirmLabel}
      </Button>
    );
  }
  return (
    <div role="alertdialog" aria-labelledby="confirm-question" aria-describedby="confirm-consequence" className="w-full rounded border border-red-300 bg-red-50 p-4 text-sm">
      <p id="confirm-question" className="font-semibold text-red-900">
        {question}
      </p>
      <p id="confirm-consequence" className="mt-1 text-red-900">
        {consequence}
      </p>
      <div className="mt-3 flex flex-wrap gap-3">
        <Button type="submit" variant="danger" disabled={pending} autoFocus>
          Yes, {confirmLabel.toLowerCase()}
        </Button>
        <Button type="button" variant="secondary" onClick={() => setOpen(false)}>
          Cancel
        </Button>
      </div>
    </div>
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
      {target.scope === "global" ? (
        <Confirmation
          question="Stop every tool call?"
          consequence="Every agent's calls to every server are refused at once, until someone clears this switch."
          confirmLabel={engageLabels.global}
          pending={pending}
        />
      ) : (
        <Button type="submit" variant="danger" disabled={pending}>
          {engageLabels[target.scope]}
        </Button>
      )}
      <FormMessage state={state} />
    </form>
  );
}

type EntryScope = Exclude<KillScopeName, "global">;

/** Stops the entry's server, the version shown, or one of its tools (in every version, or only in this one). */
function EntryEngageForm({ entry, engage }: { entry: KillSwitchEntry; engage: SwitchAction }) {
  const [state, action, pending] = useActionState(engage, idle);
  const echoed = state.status === "error" ? (state.values ?? {}) : {};
  const [scope, setScope] = useState<EntryScope>((valueText(echoed, "scope") as EntryScope) || "server");
  const errors = state.status === "error" ? state.fieldErrors : {};
  const choices: { value: EntryScope; label: string }[] = [
    { value: "server", label: "This server, every version" },
    { value: "version", label: `This version (${entry.version})` },
    ...(entry.tools.length ? [{ value: "tool" as const, label: "One tool" }] : []),
  ];
  return (
    <form action={action} noValidate aria-label="Engage kill switch" className="space-y-3">
      <input type="hidden" name="serverId" value={entry.serverId} />
      <fieldset className="flex flex-wrap gap-x-6 gap-y-2 text-sm">
        <legend className="mb-1 font-medium text-slate-700">What to stop</legend>
        {choices.map((choice) => (
          <label key={choice.value} className="flex items-center gap-2">
            <input type="radio" name="scope" value={choice.value} checked={scope === choice.value} onChange={() => setScope(choice.value)} />
            {choice.label}
          </label>
        ))}
      </fieldset>
      {scope === "version" && <input type="hidden" name="versionId" value={entry.versionId} />}
      {scope === "tool" && (
        <div className="flex flex-wrap items-end gap-4">
          <div className="min-w-48">
            <SelectField label="Tool" name="toolName" options={verbatimOptions(entry.tools)} defaultValue={valueText(echoed, "toolName") || entry.tools[0]} errors={errors.toolName} />
          </div>
          <label className="flex items-center gap-2 pb-2 text-sm">
            <input type="checkbox" name="versionId" value={entry.versionId} defaultChecked={valueText(echoed, "versionId") === entry.versionId} />
            Only in version {entry.version} (otherwise in every version)
          </label>
        </div>
      )}
      <div className="flex flex-wrap items-end gap-3">
        <ReasonField label="Reason for stopping" state={state} />
        <Button type="submit" variant="danger" disabled={pending}>
          Stop
        </Button>
      </div>
      <FormMessage state={state} />
    </form>
  );
}

/** Engaged kill switches for a target, each clearable with a reason, and a form to engage one. */
export function KillSwitchPanel({ switches, clear, target, entry, engage, canManage = true, heading = "Kill switches", noneEngaged = "No kill switch is engaged here: calls flow normally." }: Props) {
  const engaged = target ? switches.some((s) => sameTarget(s, target)) : false;
  return (
    <section aria-label={heading} className="space-y-4 rounded-lg border border-slate-200 bg-white p-6">
      <h2 className="text-lg font-semibold">{heading}</h2>
      {switches.length === 0 ? (
        <p className="text-sm text-slate-600">{noneEngaged}</p>
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
      {canManage && entry && engage && <EntryEngageForm entry={entry} engage={engage} />}
    </section>
  );
}
