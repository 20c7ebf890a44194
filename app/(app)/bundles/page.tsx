import type { Metadata } from "next";
import Link from "next/link";
import { BundleTable } from "@/components/bundles/bundle-table";
import { EmptyState, PageHeader } from "@/components/ui/empty-state";
import { can } from "@/lib/auth/authorize";
import { listBundles } from "@/lib/bundles/bundle-list";
import { viewerOfBundles } from "./viewer";

export const metadata: Metadata = { title: "Bundles" };

export default async function BundlesPage() {
  const user = await viewerOfBundles();
  const bundles = await listBundles(user);
  return (
    <>
      <PageHeader title="Bundles">
        A team&apos;s named set of tools across catalog entries, reviewed like an entry and served to the team&apos;s agents at its own endpoint, /mcp/bundles/&#123;name&#125;.
      </PageHeader>
      {can(user, "bundles.define") && (
        <p className="mb-4">
          <Link href="/bundles/new" className="inline-block rounded bg-indigo-700 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-800">
            New bundle
          </Link>
        </p>
      )}
      {bundles.length ? <BundleTable bundles={bundles} /> : <EmptyState>No bundles yet{can(user, "bundles.define") ? ": create one for your team." : "."}</EmptyState>}
    </>
  );
}
