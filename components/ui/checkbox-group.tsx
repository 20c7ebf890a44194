import { FieldErrors, type Option, RequiredMark } from "./form-fields";

interface Props {
  legend: string;
  name: string;
  options: readonly Option[];
  checked?: readonly string[];
  errors?: string[];
  /** At least one box must be ticked: the legend shows the required mark. */
  required?: boolean;
}

/** A fieldset of checkboxes that submit every ticked value under one name. */
export function CheckboxGroup({ legend, name, options, checked = [], errors, required }: Props) {
  const errorId = `${name}-error`;
  const invalid = errors?.length ? true : undefined;
  return (
    <fieldset className="text-sm" aria-describedby={invalid ? errorId : undefined}>
      <legend className="font-medium text-slate-700">
        {legend}
        <RequiredMark required={required} />
      </legend>
      <div className="mt-1 flex flex-wrap gap-x-4 gap-y-1">
        {options.map((option) => (
          <label key={option.value} className="flex items-center gap-1">
            <input type="checkbox" name={name} value={option.value} defaultChecked={checked.includes(option.value)} aria-invalid={invalid} />
            {option.label}
          </label>
        ))}
      </div>
      <FieldErrors id={errorId} errors={errors} />
    </fieldset>
  );
}
