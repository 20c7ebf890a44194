"use client";

import type { ActionState } from "@/lib/action-state";
import { valueText } from "@/lib/action-state";
import type { Explanation } from "@/lib/policy/explain";
import { Badge } from "../ui/badges";
import { FormMessage, RequiredNote, SubmitButton, TextArea, TextField } from "../ui/form-fields";
import { useFormAction } from "../ui/use-form-action";

const tones = { allow: "good", approval: "warn", deny: "bad" } as const;

/** "Why": what the active set decides for an agent calling a tool (with arguments, at a time), and which policies decided. */
export function WhyForm({ action }: { action: (state: ActionState<Explanation>, form: FormData) => Promise<ActionState<Explanation>> }) {
  const { state, formAction, pending, errors, values } = useFormAction(action);
  const typed = (name: string) => (state.status === "error" ? valueText(values, name) : undefined);
  const answer = state.status === "ok" ? state.data : undefined;
  return (
    <form action={formAction} aria-label="Why" className="space-y-4 rounded-lg border border-slate-200 bg-white p-6">
      <div className="grid gap-4 sm:grid-cols-3">
        <TextField label="Agent" name="agent" required defaultValue={typed("agent")} errors={errors.agent} />
        <TextField label="Server" name="server" required placeholder="com.example/crm" defaultValue={typed("server")} errors={errors.server} />
        <TextField label="Tool" name="tool" required defaultValue={typed("tool")} errors={errors.tool} />
      </div>
      <div className="grid gap-4 sm:grid-cols-[2fr_1fr]">
        <TextArea label="Arguments (JSON, optional)" name="arguments" rows={2} defaultValue={typed("arguments")} errors={errors.arguments} />
        <TextField label="Time (UTC, optional; now when empty)" name="at" type="datetime-local" defaultValue={typed("at")} errors={errors.at} />
      </div>
      <RequiredNote />
      <FormMessage state={state} />
      <SubmitButton pending={pending} pendingLabel="Asking…" variant="secondary">
        Why?
      </SubmitButton>
      {answer && (
        <div data-testid="why-answer" className="space-y-1 border-t border-slate-200 pt-3 text-sm">
          <p>
            <Badge tone={tones[answer.decision]}>{answer.decision}</Badge> for {answer.agent.name} calling {answer.tool.server} · {answer.tool.name} {answer.tool.version}, by policy set {answer.policySet.number}.
          </p>
          <p>
            {answer.policyIds.length > 0 ? (
              <>
                Decided by: <span className="font-mono">{answer.policyIds.join(", ")}</span>
              </>
            ) : (
              "No policy permits it: denied by default."
            )}
          </p>
          {answer.errors.map((error) => (
            <p key={error.policyId} className="text-red-700">
              {error.policyId} failed to evaluate: {error.message}
            </p>
          ))}
        </div>
      )}
    </form>
  );
}
