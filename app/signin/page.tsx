import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/sign-in-form";
import { currentUser } from "@/lib/auth/session";
import { oidcProviderFromEnv } from "@/lib/auth/oidc";

export const metadata: Metadata = { title: "Sign in" };

// Only same-site paths: an absolute callbackUrl would turn sign-in into an open redirect.
function safeCallback(value: string | string[] | undefined): string {
  return typeof value === "string" && /^\/(?![/\\])/.test(value) ? value : "/";
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function SignInPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const callbackUrl = safeCallback(params.callbackUrl);
  if (await currentUser()) redirect(callbackUrl);
  const oidc = oidcProviderFromEnv();
  return (
    <main className="mx-auto mt-24 max-w-sm rounded-lg border border-slate-200 bg-white p-8 shadow-sm">
      <h1 className="text-2xl font-semibold">Toolgate</h1>
      <p className="mb-6 mt-1 text-sm text-slate-600">Governed catalog and gateway for MCP tools</p>
      <SignInForm callbackUrl={callbackUrl} oidcName={oidc?.name} ssoError={params.error === "AccessDenied"} />
    </main>
  );
}
