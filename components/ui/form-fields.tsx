import type { ButtonHTMLAttributes, InputHTMLAttributes, ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes } from "react";

const controlClass = "mt-1 block w-full rounded border border-slate-300 px-3 py-2 focus:border-indigo-500 focus:outline-none";

interface FieldProps {
  label: string;
  name: string;
  errors?: string[];
}

/** The error text a field or group points at with aria-describedby. */
export function FieldErrors({ id, errors }: { id: string; errors?: string[] }) {
  if (!errors?.length) return null;
  return (
    <span id={id} className="mt-1 block text-red-700">
      {errors.join(" ")}
    </span>
  );
}

function errorAttributes(name: string, errors?: string[]) {
  const invalid = Boolean(errors?.length);
  return { "aria-invalid": invalid || undefined, "aria-describedby": invalid ? `${name}-error` : undefined };
}

// The error text sits outside the label so that it describes the field rather than renaming it.
function Field({ label, name, errors, children }: FieldProps & { children: ReactNode }) {
  return (
    <div className="text-sm">
      <label className="block">
        <span className="font-medium text-slate-700">{label}</span>
        {children}
      </label>
      <FieldErrors id={`${name}-error`} errors={errors} />
    </div>
  );
}

type TextFieldProps = FieldProps & InputHTMLAttributes<HTMLInputElement>;

export function TextField({ label, name, errors, ...input }: TextFieldProps) {
  return (
    <Field label={label} name={name} errors={errors}>
      <input name={name} {...errorAttributes(name, errors)} className={controlClass} {...input} />
    </Field>
  );
}

type TextAreaProps = FieldProps & TextareaHTMLAttributes<HTMLTextAreaElement>;

export function TextArea({ label, name, errors, rows = 3, ...textarea }: TextAreaProps) {
  return (
    <Field label={label} name={name} errors={errors}>
      <textarea name={name} rows={rows} {...errorAttributes(name, errors)} className={controlClass} {...textarea} />
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
  return (
    <Field label={label} name={name} errors={errors}>
      <select key={key} name={name} {...errorAttributes(name, errors)} className={`${controlClass} bg-white`} {...select}>
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

export function FormMessage({ state }: { state: { status: string; message?: string } }) {
  if (state.status === "idle" || !state.message) return null;
  const tone = state.status === "ok" ? "text-emerald-700" : "text-red-700";
  return (
    <p role={state.status === "ok" ? "status" : "alert"} className={`text-sm ${tone}`}>
      {state.message}
    </p>
  );
}
