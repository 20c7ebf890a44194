import type { Metadata } from "next";
import { z } from "zod";
import { VerificationOutcome, VerifyManifestForm } from "@/components/signing/verify-manifest-form";
import { PageHeader } from "@/components/ui/empty-state";
import { SiteFrame } from "@/components/ui/site-frame";
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

function StoredManifest({ found }: { found: NonNullable<Awaited<ReturnType<typeof storedVersion>>> }) {
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
  const found = await storedVersion(await searchParams);
  return (
    <SiteFrame width="narrow" header={<span className="text-sm text-slate-600">Manifest verification</span>}>
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
