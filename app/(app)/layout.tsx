import Link from "next/link";
import type { ReactNode } from "react";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { GlobalKillBanner } from "@/components/killswitch/global-kill-banner";
import { type NavLink, NavLinks } from "@/components/ui/nav-links";
import { SiteFrame } from "@/components/ui/site-frame";
import { type Action, can } from "@/lib/auth/authorize";
import { roleLabels } from "@/lib/auth/roles";
import { requireUser } from "@/lib/auth/session";
import { type NavigationCounts, navigationCounts } from "@/lib/dashboard/navigation-counts";
import { engagedGlobalSwitch } from "@/lib/killswitch/switches";

// A section shows to those allowed any of its actions (Bundles: those who define them and those who review them).
const sections: { href: string; label: string; action: Action | readonly Action[]; count?: keyof NavigationCounts }[] = [
  { href: "/catalog", label: "Catalog", action: "catalog.view" },
  { href: "/reviews", label: "Reviews", action: "reviews.view", count: "reviews" },
  { href: "/drift", label: "Drift", action: "catalog.view", count: "drift" },
  { href: "/approvals", label: "Approvals", action: "approvals.view", count: "approvals" },
  { href: "/agents", label: "Agents", action: "agents.view" },
  { href: "/kill-switches", label: "Kill switches", action: "killswitch.manage" },
  { href: "/policies", label: "Policies", action: "policies.view", count: "policies" },
  { href: "/bundles", label: "Bundles", action: ["bundles.define", "bundles.review"], count: "bundles" },
  { href: "/audit", label: "Audit", action: "audit.view" },
  { href: "/admin", label: "Admin", action: "users.view" },
];

const countWords = {
  reviews: { word: "waiting", tone: "warn" },
  approvals: { word: "waiting", tone: "warn" },
  drift: { word: "open", tone: "bad" },
  policies: { word: "waiting", tone: "warn" },
  bundles: { word: "waiting", tone: "warn" },
} as const satisfies Record<keyof NavigationCounts, Omit<NonNullable<NavLink["count"]>, "value">>;

export default async function AppLayout({ children }: { children: ReactNode }) {
  // The user first: reading the session makes the page dynamic, so nothing reads the database at build time.
  const user = await requireUser();
  const [globalSwitch, counts] = await Promise.all([engagedGlobalSwitch(), navigationCounts(user)]);
  const links: NavLink[] = sections
    .filter((s) => (typeof s.action === "string" ? [s.action] : s.action).some((action) => can(user, action)))
    .map(({ href, label, count }) => ({ href, label, count: count && { value: counts[count], ...countWords[count] } }));
  const waiting = links.reduce((sum, link) => sum + (link.count?.value ?? 0), 0);
  const account = (
    <>
      <NavLinks links={links} />
      <div className="flex items-center justify-between gap-4 border-t border-slate-200 pt-3 xl:ml-auto xl:border-0 xl:pt-0">
        <Link href="/account" className="min-w-0 break-words text-sm xl:text-right" data-testid="current-user">
          <span className="block font-medium">{user.email}</span>
          <span className="block text-slate-500">{user.roles.map((r) => roleLabels[r]).join(", ")}</span>
        </Link>
        <SignOutButton />
      </div>
    </>
  );
  return (
    <SiteFrame
      width="wide"
      header={account}
      collapsible
      waiting={waiting}
      banner={globalSwitch && <GlobalKillBanner engaged={globalSwitch} manageHref={can(user, "killswitch.manage") ? "/kill-switches" : undefined} />}
    >
      {children}
    </SiteFrame>
  );
}
