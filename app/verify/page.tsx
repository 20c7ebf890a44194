import type { Metadata } from "next";
import Link from "next/link";
import { z } from "zod";
import { VerificationOutcome, VerifyManifestForm } from "@/components/signing/verify-manifest-form";
import { PageHeader } from "@/components/ui/empty-state";
import { SiteFrame } from "@/components/ui/site-frame";
import { can } from "@/lib/auth/authorize";
import { currentUser } from "@/lib/auth/session";
import { serverIdByName } from "@/lib/catalog/read";
import { NotFoundError } from "@/lib/errors";
import { verifyVersionManifest } from "@/lib/signing/manifest";
import { queryText } from "@/lib/validation";
import { verifyManifestAction } from "./actions";

// Public (see proxy.ts): hosts and auditors check a certified version's manifest without an account.
export const metadata: Metadata = { title: "Verify a manifest" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const storedQuery = z.object({
  server: queryText("The server", 200).min(1),
  version: queryText("The version", 100).min(1),
});

async function storedVersion(params: Awaited<SearchParams>) {
  if (params.server === undefined && params.version === undefined) return null;
  const parsed = storedQuery.safeParse(params);
  if (!parsed.success) return { error: "Name both a server and a version, e.g. ?server=com.example/crm&version=1.2.0." };
  try {
    return { result: await verifyVersionManifest(parsed.data.server, parsed.data.version) };
  } catch (error) {
    if (error instanceof NotFoundError) return { error: error.message };
    throw error;
  }
}

type Found = NonNullable<Awaited<ReturnType<typeof storedVersion>>>;

/**
 * The way back into the app, whose navigation this public page does not have: to the entry whose manifest
 * is shown (where its Verify link is), else to the catalog; someone without a session may sign in.
 */
async function wayBack(params: Awaited<SearchParams>, found: Found | null): Promise<{ href: string; label: string; arrow: boolean }> {
  const user = await currentUser();
  if (!user) return { href: "/signin", label: "Sign in", arrow: false };
  if (!can(user, "catalog.view")) return { href: "/", label: "Back to Toolgate", arrow: true };
  const named = storedQuery.safeParse(params);
  const serverId = named.success ? await serverIdByName(named.data.server) : null;
  if (!named.success || !serverId) return { href: "/catalog", label: "Back to the catalog", arrow: true };
  const { server, version } = named.data;
  // Only a version that exists is named in the link: the entry's page refuses another as not found.
  if (!found || "error" in found) return { href: `/catalog/${serverId}`, label: `Back to ${server}`, arrow: true };
  return { href: `/catalog/${serverId}?tab=review&v=${encodeURIComponent(version)}`, label: `Back to ${server} ${version}`, arrow: true };
}

function StoredManifest({ found }: { found: Found }) {
  if ("error" in found) {
    return (
      <p role="alert" className="mb-8 rounded-lg border border-red-300 bg-red-50 p-4 text-red-900">
        {found.error}
      </p>
    );
  }
  const { result } = found;
  return (
    <section aria-labelledby="stored-heading" className="mb-8 space-y-4">
      <h2 id="stored-heading" className="text-lg font-semibold">
        {result.server} {result.version}
      </h2>
      <VerificationOutcome valid={result.valid} reason={result.reason} />
      <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="font-medium text-slate-600">Key id</dt>
        <dd className="font-mono">{result.keyId}</dd>
        <dt className="font-medium text-slate-600">Signature</dt>
        <dd className="break-all font-mono">{result.signature}</dd>
      </dl>
      <pre aria-label="Manifest" className="overflow-x-auto rounded-lg border border-slate-200 bg-white p-4 font-mono text-xs">
        {JSON.stringify(result.manifest, null, 2)}
      </pre>
    </section>
  );
}

export default async function VerifyPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const found = await storedVersion(params);
  const back = await wayBack(params, found);
  const header = (
    <>
      <span className="text-sm text-slate-600">Manifest verification</span>
      <Link href={back.href} className="ml-auto text-sm font-medium text-indigo-700 hover:underline">
        {back.arrow && <span aria-hidden="true">← </span>}
        {back.label}
      </Link>
    </>
  );
  return (
    <SiteFrame width="narrow" header={header}>
      <PageHeader title="Verify a manifest">
        Check that a certified version&apos;s manifest was signed by this catalog and has not changed since.
      </PageHeader>
      {found && <StoredManifest found={found} />}
      <VerifyManifestForm action={verifyManifestAction} />
      <section aria-labelledby="how-heading" className="mt-8 space-y-2 text-sm text-slate-700">
        <h2 id="how-heading" className="text-base font-semibold">
          Verifying without this page
        </h2>
        <p>
          The signature is Ed25519 over the manifest&apos;s canonical JSON (RFC 8785). The public keys are published as a JSON Web Key
          Set at{" "}
          <a href="/.well-known/toolgate-signing-keys" className="font-mono text-indigo-700 underline">
            /.well-known/toolgate-signing-keys
          </a>
          ; pick the key whose <code>kid</code> is the key id. The same check is available as{" "}
          <code className="font-mono">POST /api/v1/manifests/verify</code> with <code>{"{ manifest, signature, keyId }"}</code>.
        </p>
      </section>
    </SiteFrame>
  );
}
