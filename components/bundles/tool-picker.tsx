"use client";

import { useId, useState } from "react";
import type { ToolChoice } from "@/lib/bundles/bundle-list";
import { filterTools } from "@/lib/bundles/tool-filter";
import { FieldErrors, RequiredMark } from "../ui/form-fields";

interface Props {
  choices: readonly ToolChoice[];
  /** The ticked tools, as "server tool". */
  checked?: readonly string[];
  errors?: string[];
}

/** Past this many tools the picker offers a filter box. */
const filterFrom = 12;

/** The value a ticked tool sends: its entry and its name, split at the last space (tool names have none). */
export const toolValue = (server: string, tool: string) => `${server} ${tool}`;

/**
 * The certified tools a bundle may hold, one group of checkboxes per catalog entry, every one sent as `tools`.
 * The filter hides what does not match and never unticks it: a hidden box stays in the form.
 */
export function ToolPicker({ choices, checked = [], errors }: Props) {
  const [filter, setFilter] = useState("");
  const id = useId();
  const errorId = `${id}-tools-error`;
  const invalid = errors?.length ? true : undefined;
  const { groups, shown, total } = filterTools(choices, filter);
  const needle = filter.trim();
  return (
    <fieldset className="min-w-0 text-sm" aria-describedby={invalid ? errorId : undefined}>
      <legend className="font-medium text-slate-700">
        Tools
        <RequiredMark required />
      </legend>
      <p className="text-slate-600">The tools certified versions declare, by catalog entry. Agents of the team see the ticked ones at the bundle&apos;s endpoint.</p>
      {total === 0 && <p className="mt-2 text-slate-700">No catalog entry has a certified version yet.</p>}
      {total > filterFrom && (
        <div className="mt-2 max-w-sm">
          <label htmlFor={`${id}-filter`} className="font-medium text-slate-700">
            Filter tools
          </label>
          <input
            id={`${id}-filter`}
            type="search"
            value={filter}
            onChange={(event) => setFilter(event.target.value)}
            className="mt-1 block w-full rounded border border-slate-300 px-3 py-2 focus:border-indigo-500 focus:outline-none"
          />
          <p role="status" className="mt-1 text-xs text-slate-600">
            {needle ? `${shown} of ${total} tools shown; ticked tools stay ticked when hidden.` : ""}
          </p>
        </div>
      )}
      <div className="mt-2 space-y-3">
        {groups.map(({ choice, visible, hidden }) => (
          <fieldset key={choice.server} hidden={hidden} className="min-w-0 rounded border border-slate-200 bg-white p-3">
            <legend className="break-all px-1 font-medium text-slate-800">
              {choice.title} <span className="font-mono text-xs font-normal text-slate-600">{choice.server}</span>
            </legend>
            <div className="flex flex-wrap gap-x-4 gap-y-1">
              {choice.tools.map((tool, index) => {
                const value = toolValue(choice.server, tool);
                return (
                  <label key={tool} hidden={!visible[index]} className="flex min-w-0 items-center gap-1 break-all font-mono text-xs">
                    <input type="checkbox" name="tools" value={value} defaultChecked={checked.includes(value)} aria-invalid={invalid} />
                    {tool}
                  </label>
                );
              })}
            </div>
          </fieldset>
        ))}
      </div>
      <FieldErrors id={errorId} errors={errors} />
    </fieldset>
  );
}
