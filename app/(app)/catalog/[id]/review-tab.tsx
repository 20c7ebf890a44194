import Link from "next/link";
import { PromotionRequestForm } from "@/components/certification/promotion-request-form";
import { ReviewDecisionForm } from "@/components/certification/review-decision-form";
import { VersionChecks } from "@/components/certification/version-checks";
import { KillSwitchPanel } from "@/components/killswitch/kill-switch-panel";
import { ActionButton } from "@/components/ui/action-button";
import { Badge, RiskBadge } from "@/components/ui/badges";
import { DescriptionList } from "@/components/ui/description-list";
import { EmptyState } from "@/components/ui/empty-state";
import { Cell, Table } from "@/components/ui/table";
import { can } from "@/lib/auth/authorize";
import type { CurrentUser } from "@/lib/auth/session";
import type { ServerEntry } from "@/lib/catalog/read";
import { environments as environmentOrder, type EnvironmentName } from "@/lib/catalog/schemas";
import { defaultApprovalTools } from "@/lib/certification/lifecycle";
import { type EntryFacts, nextEnvironment } from "@/lib/certification/next-step";
import { plansFromPreviousEnvironment } from "@/lib/certification/promotion-plans";
import { pinsOf, versionLifecycle, type VersionLifecycle } from "@/lib/certification/status";
import { killSwitchesOnServer } from "@/lib/killswitch/switches";
import { verifyVersionManifest } from "@/lib/signing/manifest";
import { clearKillSwitchAction, engageKillSwitchAction } from "../../kill-switches/actions";
import { claimAction } from "../../reviews/actions";
import { orNotFound } from "@/lib/not-found";
import { decideReviewAction, requestPromotionAction, submitVersionAction } from "./review-actions";

const when = (date: Date | null) => (date ? `${date.toISOString().slice(0, 16).replace("T", " ")} UTC` : "");

function Decisions({ lifecycle }: { lifecycle: VersionLifecycle }) {
  if (lifecycle.decisions.length === 0) return <p className="text-sm text-slate-600">No lifecycle steps yet: this version is a draft.</p>;
  return (
    <Table label="Lifecycle steps" headings={["Step", "By", "When", "Reason"]}>
      {lifecycle.decisions.map((decision) => (
        <tr key={decision.id.toString()} className="border-b border-slate-200">
          <Cell>{decision.action}</Cell>
          <Cell>{decision.actor}</Cell>
          <Cell>{when(decision.createdAt)}</Cell>
          <Cell className="whitespace-pre-line">{decision.reason}</Cell>
        </tr>
      ))}
    </Table>
  );
}

async function Certification({ server, lifecycle }: { server: ServerEntry; lifecycle: VersionLifecycle }) {
  if (!lifecycle.certifiedAt) return null;
  const verification = await verifyVersionManifest(server.name, lifecycle.version);
  const verifyHref = `/verify?server=${encodeURIComponent(server.name)}&version=${encodeURIComponent(lifecycle.version)}`;
  return (
    <DescriptionList
      title="Certification"
      items={[
        ["Certified", when(lifecycle.certifiedAt)],
        ["Risk tier", <RiskBadge key="tier" tier={lifecycle.riskTier} />],
        ["Tools needing approval", lifecycle.approvalTools.join(", ") || "none"],
        [
          "Signed manifest",
          <span key="sig" className="flex items-center gap-2" data-testid="manifest-signature">
            <Badge tone={verification.valid ? "good" : "bad"}>{verification.valid ? "Signature verified" : "Signature invalid"}</Badge>
            <span className="font-mono text-xs">key {lifecycle.signingKeyId}</span>
            <Link href={verifyHref} className="text-indigo-700 hover:underline">
              Verify
            </Link>
          </span>,
        ],
        ["Sunset", lifecycle.sunsetAt ? when(lifecycle.sunsetAt) : ""],
      ]}
    />
  );
}

interface EnvironmentsProps {
  server: ServerEntry;
  lifecycle: VersionLifecycle;
  mayRequest: boolean;
  /** Where the newest version goes next, when the tab shows the newest version. */
  next: EnvironmentName | null;
}

async function Environments({ server, lifecycle, mayRequest, next }: EnvironmentsProps) {
  const [pins, prefills] = await Promise.all([pinsOf(server.id), mayRequest ? plansFromPreviousEnvironment(server.id) : {}]);
  return (
    <section className="space-y-3">
      <h2 className="text-lg font-semibold">Environments</h2>
      <Table label="Pinned versions" headings={["Environment", "Pinned version", "Since"]}>
        {server.environments.map((environment) => {
          const pin = pins.find((p) => p.environment === environment);
          return (
            <tr key={environment} className="border-b border-slate-200" data-testid={`pin-${environment}`}>
              <Cell>{environment}</Cell>
              <Cell className="font-mono">{pin?.version.version ?? "—"}</Cell>
              <Cell>{when(pin?.pinnedAt ?? null)}</Cell>
            </tr>
          );
        })}
      </Table>
      {lifecycle.promotions.length > 0 && (
        <Table label="Promotion requests" headings={["Environment", "Status", "Requested", "Decision"]}>
          {lifecycle.promotions.map((promotion) => (
            <tr key={promotion.id} className="border-b border-slate-200">
              <Cell>{promotion.environment}</Cell>
              <Cell>
                <Badge tone={promotion.status === "promoted" ? "good" : promotion.status === "denied" ? "bad" : "info"}>{promotion.status}</Badge>
              </Cell>
              <Cell>{when(promotion.requestedAt)}</Cell>
              <Cell>{promotion.decisionReason}</Cell>
            </tr>
          ))}
        </Table>
      )}
      {mayRequest && lifecycle.status === "certified" && (
        <PromotionRequestForm
          action={requestPromotionAction}
          versionId={lifecycle.id}
          environments={environmentOrder.filter((environment) => server.environments.includes(environment))}
          defaultEnvironment={next ?? undefined}
          prefills={prefills}
        />
      )}
    </section>
  );
}

interface NextStepProps {
  server: ServerEntry;
  lifecycle: VersionLifecycle;
  user: CurrentUser;
  editor: boolean;
  /** may(user, "server.review", server): the reviews queue offers Claim by the same rule. */
  reviewer: boolean;
}

function NextStep({ server, lifecycle, user, editor, reviewer }: NextStepProps) {
  if (lifecycle.status === "draft" && editor && can(user, "versions.submit")) {
    return <ActionButton action={submitVersionAction} fields={{ versionId: lifecycle.id }} label="Submit for review" variant="primary" />;
  }
  if (lifecycle.status === "submitted" && reviewer) {
    return <ActionButton action={claimAction} fields={{ versionId: lifecycle.id }} label="Claim review" variant="primary" />;
  }
  if (lifecycle.status === "in_review" && lifecycle.reviewerId === user.id) {
    return (
      <ReviewDecisionForm
        action={decideReviewAction}
        versionId={lifecycle.id}
        tools={lifecycle.tools.map((tool) => tool.name)}
        proposedRiskTier={server.riskTier}
        suggestedApprovalTools={defaultApprovalTools(lifecycle.tools)}
        failingChecks={lifecycle.checks.checks.filter((check) => !check.passed)}
      />
    );
  }
  return null;
}

/** The version's way through governance: checks, steps, the next step for this person, certification, environments. */
interface ReviewTabProps {
  server: ServerEntry;
  version?: string;
  user: CurrentUser;
  editor: boolean;
  /** may(user, "server.review", server): the reviews queue offers Claim by the same rule. */
  reviewer: boolean;
  /** What the page's next-step strip reads: where the newest version goes next. */
  facts: EntryFacts;
}

export async function ReviewTab({ server, version, user, editor, reviewer, facts }: ReviewTabProps) {
  if (!version) return <EmptyState>No version to review yet.</EmptyState>;
  const lifecycle = await orNotFound(() => versionLifecycle(server.id, version));
  const next = facts.latest?.version === lifecycle.version ? nextEnvironment(facts) : null;
  const switches = await killSwitchesOnServer(server.id);
  const manageSwitches = can(user, "killswitch.manage");
  return (
    <div className="space-y-8">
      <VersionChecks version={lifecycle.version} status={lifecycle.status} checks={lifecycle.checks.checks} />
      <NextStep server={server} lifecycle={lifecycle} user={user} editor={editor} reviewer={reviewer} />
      <Decisions lifecycle={lifecycle} />
      <Certification server={server} lifecycle={lifecycle} />
      <Environments server={server} lifecycle={lifecycle} mayRequest={editor && can(user, "promotions.request")} next={next} />
      <KillSwitchPanel
        heading="Kill switches"
        switches={switches}
        clear={clearKillSwitchAction}
        engage={engageKillSwitchAction}
        entry={{ serverId: server.id, versionId: lifecycle.id, version: lifecycle.version, tools: lifecycle.tools.map((tool) => tool.name) }}
        canManage={manageSwitches}
      />
    </div>
  );
}
