import { type ButtonHTMLAttributes, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes, useId } from "react";

export { FormMessage } from "./form-message";

const controlClass = "mt-1 block w-full rounded border border-slate-300 px-3 py-2 focus:border-indigo-500 focus:outline-none";

interface FieldProps {
  label: string;
  name: string;
  errors?: string[];
}

/** The error text a field or group points at with aria-describedby. A refused form's alert leaves out what these show. */
export function FieldErrors({ id, errors }: { id: string; errors?: string[] }) {
  if (!errors?.length) return null;
  return (
    <span id={id} data-field-error="" className="mt-1 block text-red-700">
      {errors.join(" ")}
    </span>
  );
}

/**
 * The mark after a required field's label. Seen, not read out: the control's own `required` says it to a
 * screen reader, and the label stays the field's name. The form explains it once with RequiredNote.
 */
export function RequiredMark({ required }: { required?: boolean }) {
  if (!required) return null;
  return (
    <span aria-hidden="true" className="ml-0.5 text-red-700">
      *
    </span>
  );
}

/** What the mark means, said once in a form that has required fields. */
export function RequiredNote() {
  return (
    <p className="text-xs text-slate-600">
      Fields marked <span className="text-red-700">*</span> are required.
    </p>
  );
}

function errorAttributes(name: string, errors?: string[]) {
  const invalid = Boolean(errors?.length);
  return { "aria-invalid": invalid || undefined, "aria-describedby": invalid ? `${name}-error` : undefined };
}

// The label names the control (htmlFor) and holds only the label's text, so the required mark beside it
// is not part of the name; the error text sits after the control so that it describes the field.
function Field({ label, name, errors, id, required, children }: FieldProps & { id: string; required?: boolean; children: ReactNode }) {
  return (
    <div className="text-sm">
      <div className="flex items-baseline">
        <label htmlFor={id} className="font-medium text-slate-700">
          {label}
        </label>
        <RequiredMark required={required} />
      </div>
      {children}
      <FieldErrors id={`${name}-error`} errors={errors} />
    </div>
  );
}

/** The control's id: the one the caller gave, or one of its own. */
function useControlId(id: string | undefined): string {
  const generated = useId();
  return id ?? generated;
}

type TextFieldProps = FieldProps & InputHTMLAttributes<HTMLInputElement>;

export function TextField({ label, name, errors, ...input }: TextFieldProps) {
  const id = useControlId(input.id);
  return (
    <Field label={label} name={name} errors={errors} id={id} required={input.required}>
      <input name={name} {...errorAttributes(name, errors)} className={controlClass} {...input} id={id} />
    </Field>
  );
}

type TextAreaProps = FieldProps & TextareaHTMLAttributes<HTMLTextAreaElement>;

export function TextArea({ label, name, errors, rows = 3, ...textarea }: TextAreaProps) {
  const id = useControlId(textarea.id);
  return (
    <Field label={label} name={name} errors={errors} id={id} required={textarea.required}>
      <textarea name={name} rows={rows} {...errorAttributes(name, errors)} className={controlClass} {...textarea} id={id} />
    </Field>
  );
}

export interface Option {
  value: string;
  label: string;
}

type SelectFieldProps = FieldProps &
  SelectHTMLAttributes<HTMLSelectElement> & {
    options: readonly Option[];
    /** The label of a first, empty choice, e.g. "Any status". */
    placeholder?: string;
  };

/**
 * A select. Given a defaultValue, it is keyed by it: React applies a select's default only when the element
 * is created, yet resets the form to that default after every action, so the choice a refused form sends
 * back (a new defaultValue) needs a new element to survive the reset. A controlled select (value) does not
 * survive a form action's reset at all: inside an action form, use defaultValue.
 */
export function SelectField({ label, name, errors, options, placeholder, ...select }: SelectFieldProps) {
  const choices = placeholder === undefined ? options : [{ value: "", label: placeholder }, ...options];
  const key = select.defaultValue === undefined ? undefined : String(select.defaultValue);
  const id = useControlId(select.id);
  return (
    <Field label={label} name={name} errors={errors} id={id} required={select.required}>
      <select key={key} name={name} {...errorAttributes(name, errors)} className={`${controlClass} bg-white`} {...select} id={id}>
        {choices.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** Options for a select or checkbox group of a fixed vocabulary, labelled by value with spaces for "_" (in_review). */
export function plainOptions(values: readonly string[]): Option[] {
  return values.map((value) => ({ value, label: value.replaceAll("_", " ") }));
}

/** Options labelled exactly by their values: names people type and match, such as tool names (get_contact). */
export function verbatimOptions(values: readonly string[]): Option[] {
  return values.map((value) => ({ value, label: value }));
}

interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: "primary" | "secondary" | "danger";
}

const variants = {
  primary: "bg-indigo-700 text-white hover:bg-indigo-800",
  secondary: "border border-slate-300 bg-white text-slate-800 hover:bg-slate-100",
  danger: "border border-red-300 bg-white text-red-700 hover:bg-red-50",
};

export function Button({ variant = "primary", className = "", ...button }: ButtonProps) {
  return (
    <button
      className={`rounded px-4 py-2 text-sm font-medium disabled:opacity-50 ${variants[variant]} ${className}`}
      {...button}
    />
  );
}

/** A form's submit button, disabled while the form is pending and then saying what it is doing. */
export function SubmitButton({ pending, pendingLabel, children, ...button }: ButtonProps & { pending: boolean; pendingLabel: string }) {
  return (
    <Button type="submit" disabled={pending} {...button}>
      {pending ? pendingLabel : children}
    </Button>
  );
}
