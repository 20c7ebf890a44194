import type { Metadata } from "next";
import Link from "next/link";
import { BundleForm } from "@/components/bundles/bundle-form";
import { EmptyState, PageHeader } from "@/components/ui/empty-state";
import { teamsInScope } from "@/lib/auth/access";
import { requirePagePermission } from "@/lib/auth/session";
import { bundleToolChoices } from "@/lib/bundles/bundle-list";
import { listTeams } from "@/lib/teams/manage";
import { createBundleAction } from "../actions";

export const metadata: Metadata = { title: "New bundle" };

export default async function NewBundlePage() {
  const user = await requirePagePermission("bundles.define");
  const [teams, scope, choices] = await Promise.all([listTeams(), teamsInScope(user, "bundle.define"), bundleToolChoices(user)]);
  const options = teams.filter((team) => scope === "all" || scope.includes(team.id)).map((team) => ({ value: team.id, label: team.name }));
  return (
    <>
      <PageHeader title="New bundle">
        Its first version is a draft: change it freely, then submit it; a reviewer who did not write it certifies it before agents see it.{" "}
        <Link href="/bundles" className="text-indigo-700 underline">
          All bundles
        </Link>
      </PageHeader>
      {options.length ? <BundleForm action={createBundleAction} teams={options} choices={choices} /> : <EmptyState>You belong to no team: an administrator adds you to one before you define its bundles.</EmptyState>}
    </>
  );
}
