"use client";

import { type KeyboardEvent, useId, useState } from "react";
import { ZodError } from "zod";
import { policyTemplates } from "@/lib/policy/templates";
import { Button } from "../ui/form-fields";

const controlClass = "mt-1 block w-full rounded border border-slate-300 bg-white px-3 py-2 focus:border-indigo-500 focus:outline-none";

const startingValues = (key: string) => Object.fromEntries((policyTemplates.find((template) => template.key === key)?.parameters ?? []).map((parameter) => [parameter.name, parameter.defaultValue ?? ""]));

/**
 * Inserts a template's text into the editor. Its fields have no names, so the surrounding form never
 * posts them; Enter in a field inserts rather than submitting that form.
 */
export function TemplatePicker({ onInsert }: { onInsert: (text: string) => void }) {
  const id = useId();
  const [key, setKey] = useState(policyTemplates[0]!.key);
  const [values, setValues] = useState(() => startingValues(policyTemplates[0]!.key));
  const [error, setError] = useState("");
  const template = policyTemplates.find((candidate) => candidate.key === key)!;

  function insert() {
    try {
      onInsert(template.text(values));
      setError("");
    } catch (caught) {
      if (!(caught instanceof ZodError)) throw caught;
      setError(caught.issues.map((issue) => issue.message).join(" "));
    }
  }
  const insertOnEnter = (event: KeyboardEvent) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    insert();
  };

  return (
    <fieldset className="rounded border border-slate-200 p-3">
      <legend className="px-1 font-medium text-slate-700">Insert a template</legend>
      <div className="grid gap-3 sm:grid-cols-2">
        <div>
          <label htmlFor={`${id}-template`} className="font-medium text-slate-700">
            Template
          </label>
          <select
            id={`${id}-template`}
            value={key}
            onChange={(event) => {
              setKey(event.target.value as typeof key);
              setValues(startingValues(event.target.value));
              setError("");
            }}
            className={controlClass}
          >
            {policyTemplates.map((candidate) => (
              <option key={candidate.key} value={candidate.key}>
                {candidate.label}
              </option>
            ))}
          </select>
          <p className="mt-1 text-slate-600">{template.description}</p>
        </div>
        {template.parameters.map((parameter) => (
          <div key={`${key}-${parameter.name}`}>
            <label htmlFor={`${id}-${parameter.name}`} className="font-medium text-slate-700">
              {parameter.label}
            </label>
            {parameter.options ? (
              <select id={`${id}-${parameter.name}`} value={values[parameter.name] ?? ""} onChange={(event) => setValues({ ...values, [parameter.name]: event.target.value })} className={controlClass}>
                {parameter.options.map((option) => (
                  <option key={option}>{option}</option>
                ))}
              </select>
            ) : (
              <input
                id={`${id}-${parameter.name}`}
                value={values[parameter.name] ?? ""}
                onChange={(event) => setValues({ ...values, [parameter.name]: event.target.value })}
                onKeyDown={insertOnEnter}
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? `${id}-error` : undefined}
                className={controlClass}
              />
            )}
          </div>
        ))}
      </div>
      <div className="mt-3 flex flex-wrap items-center gap-3">
        <Button type="button" variant="secondary" onClick={insert}>
          Insert template
        </Button>
        {error && (
          <p id={`${id}-error`} role="alert" className="text-red-700">
            {error}
          </p>
        )}
      </div>
    </fieldset>
  );
}
