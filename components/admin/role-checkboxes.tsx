import { CheckboxGroup } from "@/components/ui/checkbox-group";
import { roleLabels, roles, type Role } from "@/lib/auth/roles";

const roleOptions = roles.map((role) => ({ value: role, label: roleLabels[role] }));

export function RoleCheckboxes({ checked = [], errors, required }: { checked?: readonly Role[]; errors?: string[]; required?: boolean }) {
  return <CheckboxGroup legend="Roles" name="roles" options={roleOptions} checked={checked} errors={errors} required={required} />;
}
