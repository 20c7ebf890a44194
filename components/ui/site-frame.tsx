import Link from "next/link";
import type { ReactNode } from "react";
import { SiteMenu } from "@/components/ui/site-menu";

// Whole class names, so that Tailwind finds them.
const widths = { wide: "max-w-6xl", narrow: "max-w-4xl" };

interface Props {
  width: keyof typeof widths;
  /** What the header shows after the Toolgate home link. */
  header: ReactNode;
  /** Puts the header behind a Menu button on narrow screens; for a header too long for a phone. */
  collapsible?: boolean;
  /** What waits for the person in the header's links, shown on the Menu button of a collapsible header. */
  waiting?: number;
  /** Shown across the page under the header, e.g. while every tool call is stopped. */
  banner?: ReactNode;
  children: ReactNode;
}

/** A page's frame: the header, then the page itself, both in one column. */
export function SiteFrame({ width, header, collapsible = false, waiting, banner, children }: Props) {
  return (
    <>
      <header className="border-b border-slate-200 bg-white">
        <div className={`mx-auto flex ${widths[width]} flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3 sm:px-6`}>
          <Link href="/" className="text-lg font-bold text-indigo-800">
            Toolgate
          </Link>
          {collapsible ? <SiteMenu waiting={waiting}>{header}</SiteMenu> : header}
        </div>
      </header>
      {banner}
      <main className={`mx-auto ${widths[width]} px-4 py-8 sm:px-6`}>{children}</main>
    </>
  );
}
