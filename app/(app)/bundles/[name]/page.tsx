import type { Metadata } from "next";
import { headers } from "next/headers";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DraftForm } from "@/components/bundles/draft-form";
import { VersionTools } from "@/components/bundles/version-tools";
import { ActionButton } from "@/components/ui/action-button";
import { StatusBadge } from "@/components/ui/badges";
import { DescriptionList } from "@/components/ui/description-list";
import { PageHeader } from "@/components/ui/empty-state";
import { ReasonForm } from "@/components/ui/reason-form";
import { may } from "@/lib/auth/access";
import { can } from "@/lib/auth/authorize";
import { orForbidden } from "@/lib/auth/session";
import { bundleToolChoices, peopleNames } from "@/lib/bundles/bundle-list";
import { bundleDetail } from "@/lib/bundles/bundles";
import { bundleEndpointUrl, bundleNamePattern } from "@/lib/gateway/endpoints";
import { publicBase } from "@/lib/net/public-origin";
import { orNotFound } from "@/lib/not-found";
import { teamNamesById } from "@/lib/teams/manage";
import { decideBundleVersionAction, saveBundleDraftAction, submitBundleVersionAction } from "../actions";
import { viewerOfBundles } from "../viewer";

export const metadata: Metadata = { title: "Bundle" };

export default async function BundlePage({ params }: { params: Promise<{ name: string }> }) {
  const user = await viewerOfBundles();
  const { name } = await params;
  if (!bundleNamePattern.test(name)) notFound();
  const bundle = await orForbidden(() => orNotFound(() => bundleDetail(user, { bundle: name })));
  const mayDefine = await may(user, "bundle.define", bundle);
  const mayReview = can(user, "bundles.review");
  const [teams, people, choices] = await Promise.all([
    teamNamesById([bundle.teamId]),
    peopleNames(bundle.versions.flatMap((version) => [version.authorId, version.reviewerId])),
    mayDefine ? bundleToolChoices(user) : [],
  ]);
  const base = publicBase(`http://${(await headers()).get("host") ?? "localhost"}`);
  const endpoint = bundleEndpointUrl(base.origin, bundle.name);
  const latest = bundle.versions[0];
  const served = bundle.versions.find((version) => version.status === "certified");
  const person = (id: string | null) => (id ? (people.get(id) ?? "Unknown person") : "");
  return (
    <>
      <PageHeader title={bundle.title}>
        <span className="font-mono">{bundle.name}</span>{" "}
        <Link href="/bundles" className="ml-2 text-indigo-700 underline">
          All bundles
        </Link>
      </PageHeader>
      <DescriptionList
        items={[
          ["Description", bundle.description],
          ["Team", teams.get(bundle.teamId) ?? ""],
          ["Endpoint", <code key="endpoint" className="break-all font-mono">{endpoint}</code>],
          ["Served version", served ? `Version ${served.number} (${served.tools.length} tool${served.tools.length === 1 ? "" : "s"})` : "None yet: agents see no tools here until a reviewer certifies a version."],
        ]}
      />
      <p className="mt-2 text-sm text-slate-600">
        The team&apos;s agents connect to the endpoint with their API key, as to /mcp; they see the served version&apos;s tools that their grants and pins allow.
      </p>

      {mayDefine && latest && (
        <section aria-labelledby="draft" className="mt-8 space-y-3">
          <h2 id="draft" className="text-lg font-semibold">
            {latest.status === "draft" ? `Draft version ${latest.number}` : "New draft"}
          </h2>
          {latest.status === "draft" ? (
            <>
              <p className="text-sm text-slate-700">Change its tools freely; once submitted it cannot change, and a reviewer who did not write it decides.</p>
              <ActionButton action={submitBundleVersionAction} fields={{ bundle: bundle.name, number: String(latest.number) }} label={`Submit version ${latest.number}`} variant="primary" />
            </>
          ) : (
            <p className="text-sm text-slate-700">Version {latest.number} is {latest.status}: saving tools here opens version {latest.number + 1}, a draft, starting from its tools.</p>
          )}
          <DraftForm action={saveBundleDraftAction} bundle={bundle.name} tools={latest.tools} choices={choices} label={latest.status === "draft" ? "Save draft" : "Save as a new draft"} />
        </section>
      )}

      <section aria-labelledby="versions" className="mt-8 space-y-4">
        <h2 id="versions" className="text-lg font-semibold">
          Versions
        </h2>
        {bundle.versions.map((version) => {
          const own = version.authorId === user.id;
          const fields = { bundle: bundle.name, number: String(version.number) };
          return (
            <article key={version.number} aria-labelledby={`version-${version.number}`} className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 text-sm">
              <h3 id={`version-${version.number}`} className="flex flex-wrap items-center gap-2 font-semibold">
                Version {version.number} <StatusBadge status={version.status} />
                {version === served && <span className="text-xs font-normal text-emerald-800">served</span>}
              </h3>
              <dl className="grid gap-x-6 gap-y-1 sm:grid-cols-[8rem_1fr]">
                <dt className="font-medium text-slate-600">Author</dt>
                <dd className="min-w-0 break-words">{person(version.authorId)}</dd>
                {version.reviewerId && (
                  <>
                    <dt className="font-medium text-slate-600">{version.status === "rejected" ? "Rejected by" : "Certified by"}</dt>
                    <dd className="min-w-0 break-words">{person(version.reviewerId)}</dd>
                    <dt className="font-medium text-slate-600">Reason</dt>
                    <dd className="min-w-0 whitespace-pre-line break-words">{version.decisionReason}</dd>
                  </>
                )}
              </dl>
              <VersionTools tools={version.tools} number={version.number} />
              {version.status === "submitted" &&
                (mayReview && !own ? (
                  <div className="max-w-xl">
                    <ReasonForm
                      action={decideBundleVersionAction}
                      fields={fields}
                      label={`Review version ${version.number}`}
                      reasonLabel="Reason for your decision"
                      buttons={[
                        { label: "Certify", decision: "certify", variant: "primary" },
                        { label: "Reject", decision: "reject", variant: "danger" },
                      ]}
                    />
                  </div>
                ) : (
                  <p className="text-slate-700">
                    {mayReview ? "You wrote this version, so you cannot certify or reject it: another reviewer decides." : "Waiting for a reviewer who did not write it."}
                  </p>
                ))}
            </article>
          );
        })}
      </section>
    </>
  );
}
