import type { Metadata } from "next";
import { ChangePasswordForm } from "@/components/auth/change-password-form";
import { PageHeader } from "@/components/ui/empty-state";
import { roleLabels } from "@/lib/auth/roles";
import { requireUser } from "@/lib/auth/session";
import { changePasswordAction } from "./actions";

export const metadata: Metadata = { title: "Your account" };

export default async function AccountPage() {
  const user = await requireUser();
  return (
    <>
      <PageHeader title="Your account">
        {user.name} · {user.email} · {user.roles.map((r) => roleLabels[r]).join(", ")}
      </PageHeader>
      <ChangePasswordForm action={changePasswordAction} />
    </>
  );
}
