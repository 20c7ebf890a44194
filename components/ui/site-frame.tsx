import Link from "next/link";
import type { ReactNode } from "react";

// Whole class names, so that Tailwind finds them.
const widths = { wide: "max-w-6xl", narrow: "max-w-4xl" };

interface Props {
  width: keyof typeof widths;
  /** What the header shows after the Toolgate home link. */
  header: ReactNode;
  /** Shown across the page under the header, e.g. while every tool call is stopped. */
  banner?: ReactNode;
  children: ReactNode;
}

/** A page's frame: the header, then the page itself, both in one column. */
export function SiteFrame({ width, header, banner, children }: Props) {
  return (
    <>
      <header className="border-b border-slate-200 bg-white">
        <div className={`mx-auto flex ${widths[width]} items-center gap-6 px-6 py-3`}>
          <Link href="/" className="text-lg font-bold text-indigo-800">
            Toolgate
          </Link>
          {header}
        </div>
      </header>
      {banner}
      <main className={`mx-auto ${widths[width]} px-6 py-8`}>{children}</main>
    </>
  );
}
