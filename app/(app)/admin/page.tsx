import type { Metadata } from "next";
import { CreateUserForm } from "@/components/create-user-form";
import { PageHeader } from "@/components/empty-state";
import { UserRow } from "@/components/user-row";
import { requirePagePermission } from "@/lib/auth/session";
import { listUsers } from "@/lib/users/manage";
import { createUserAction, setDisabledAction, updateRolesAction } from "./actions";

export const metadata: Metadata = { title: "Admin" };

export default async function AdminPage() {
  const actor = await requirePagePermission("users.view");
  const users = await listUsers(actor);
  return (
    <>
      <PageHeader title="Admin">People who sign in to Toolgate and their roles.</PageHeader>
      <CreateUserForm action={createUserAction} />
      <h2 className="mb-3 mt-8 text-lg font-semibold">Users ({users.length})</h2>
      <ul className="space-y-3">
        {users.map((user) => (
          <UserRow key={user.id} user={user} updateRoles={updateRolesAction} setDisabled={setDisabledAction} />
        ))}
      </ul>
    </>
  );
}
