"use client";

import { Button, FormMessage, SelectField } from "@/components/ui/form-fields";
import { useFormAction } from "@/components/ui/use-form-action";
import type { ActionState } from "@/lib/action-state";

type SetToolDiscovery = (state: ActionState, form: FormData) => Promise<ActionState>;

// Short labels: the select must fit a phone's width.
const options = [
  { value: "all", label: "Every tool" },
  { value: "search", label: "Search (3 meta-tools)" },
];

/** What the agent's tools/list shows at the gateway (decision 034); a request may still ask with ?tools=. */
export function ToolDiscoveryForm({ action, agentId, current }: { action: SetToolDiscovery; agentId: string; current: string }) {
  const { state, formAction, pending, errors } = useFormAction(action);
  return (
    <form action={formAction} noValidate aria-label="Tool discovery" className="flex flex-wrap items-end gap-3">
      <p className="w-full text-sm text-slate-600">What its tools/list shows: every tool it may use, or search_tools, describe_tool and call_tool to find them.</p>
      <input type="hidden" name="agentId" value={agentId} />
      <SelectField label="Tool discovery" name="toolDiscovery" options={options} defaultValue={current} errors={errors.toolDiscovery} />
      <Button type="submit" variant="secondary" disabled={pending}>
        Save
      </Button>
      <FormMessage state={state} />
    </form>
  );
}
