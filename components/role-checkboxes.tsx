import { roleLabels, roles, type Role } from "@/lib/auth/roles";

export function RoleCheckboxes({ checked = [], errors }: { checked?: readonly Role[]; errors?: string[] }) {
  return (
    <fieldset className="text-sm">
      <legend className="font-medium text-slate-700">Roles</legend>
      <div className="mt-1 flex flex-wrap gap-3">
        {roles.map((role) => (
          <label key={role} className="flex items-center gap-1">
            <input type="checkbox" name="roles" value={role} defaultChecked={checked.includes(role)} />
            {roleLabels[role]}
          </label>
        ))}
      </div>
      {errors?.length ? <span className="mt-1 block text-red-700">{errors.join(" ")}</span> : null}
    </fieldset>
  );
}
