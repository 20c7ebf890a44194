import { CheckboxGroup } from "@/components/ui/checkbox-group";
import { roleLabels, roles, type Role } from "@/lib/auth/roles";

const roleOptions = roles.map((role) => ({ value: role, label: roleLabels[role] }));

export function RoleCheckboxes({ checked = [], errors }: { checked?: readonly Role[]; errors?: string[] }) {
  return <CheckboxGroup legend="Roles" name="roles" options={roleOptions} checked={checked} errors={errors} />;
}
