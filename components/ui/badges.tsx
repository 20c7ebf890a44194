import type { ReactNode } from "react";

const tones = {
  neutral: "bg-slate-100 text-slate-700",
  info: "bg-indigo-50 text-indigo-800",
  good: "bg-emerald-50 text-emerald-800",
  warn: "bg-amber-50 text-amber-800",
  bad: "bg-red-50 text-red-800",
};

export type Tone = keyof typeof tones;

export function Badge({ tone = "neutral", children }: { tone?: Tone; children: ReactNode }) {
  return <span className={`inline-block rounded px-2 py-0.5 text-xs font-medium ${tones[tone]}`}>{children}</span>;
}

const statusTones: Record<string, Tone> = {
  draft: "neutral",
  submitted: "info",
  in_review: "info",
  certified: "good",
  rejected: "bad",
  deprecated: "warn",
  retired: "neutral",
};

/** A version's lifecycle status. */
export function StatusBadge({ status }: { status: string | null }) {
  if (!status) return <Badge>no version</Badge>;
  return <Badge tone={statusTones[status] ?? "neutral"}>{status.replace("_", " ")}</Badge>;
}

const riskTones: Record<string, Tone> = { low: "good", medium: "info", high: "warn", critical: "bad" };

export function RiskBadge({ tier }: { tier: string | null }) {
  if (!tier) return <span className="text-slate-500">not set</span>;
  return <Badge tone={riskTones[tier] ?? "neutral"}>{tier}</Badge>;
}
