import { FieldErrors, type Option } from "./form-fields";

interface Props {
  legend: string;
  name: string;
  options: readonly Option[];
  checked?: readonly string[];
  errors?: string[];
}

/** A fieldset of checkboxes that submit every ticked value under one name. */
export function CheckboxGroup({ legend, name, options, checked = [], errors }: Props) {
  const errorId = `${name}-error`;
  return (
    <fieldset className="text-sm" aria-describedby={errors?.length ? errorId : undefined}>
      <legend className="font-medium text-slate-700">{legend}</legend>
      <div className="mt-1 flex flex-wrap gap-x-4 gap-y-1">
        {options.map((option) => (
          <label key={option.value} className="flex items-center gap-1">
            <input type="checkbox" name={name} value={option.value} defaultChecked={checked.includes(option.value)} />
            {option.label}
          </label>
        ))}
      </div>
      <FieldErrors id={errorId} errors={errors} />
    </fieldset>
  );
}
