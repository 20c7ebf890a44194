"use client";

import Link from "next/link";
import { useEffect, useRef } from "react";

/**
 * Tabs that are plain links, so each tab has its own address and works without JavaScript. They stay on
 * one line: on a narrow screen the row scrolls sideways (a focused tab scrolls into view, as links do),
 * and the current tab is scrolled into view when the page opens.
 */
export function TabLinks({ label, tabs, current }: { label: string; tabs: { id: string; label: string; href: string }[]; current: string }) {
  const row = useRef<HTMLElement>(null);
  useEffect(() => {
    const nav = row.current;
    const tab = nav?.querySelector<HTMLElement>('[aria-current="page"]');
    if (!nav || !tab) return;
    // Only the row scrolls, never the page (scrollIntoView would move the page as well); boxes, not offsets,
    // as tabs are fractions of a pixel wide. A little room shows there is more beyond it.
    const view = nav.getBoundingClientRect();
    const box = tab.getBoundingClientRect();
    if (box.left < view.left) nav.scrollLeft -= Math.ceil(view.left - box.left) + 16;
    else if (box.right > view.right) nav.scrollLeft += Math.ceil(box.right - view.right) + 16;
  }, [current]);
  return (
    <nav ref={row} aria-label={label} className="mb-6 max-w-full overflow-x-auto [scrollbar-width:thin]">
      <div className="flex w-max min-w-full gap-1 border-b border-slate-200">
        {tabs.map((tab) => (
          <Link
            key={tab.id}
            href={tab.href}
            aria-current={tab.id === current ? "page" : undefined}
            className={`-mb-px shrink-0 whitespace-nowrap border-b-2 px-3 py-2 text-sm ${tab.id === current ? "border-indigo-700 font-semibold text-indigo-800" : "border-transparent text-slate-600 hover:text-slate-900"}`}
          >
            {tab.label}
          </Link>
        ))}
      </div>
    </nav>
  );
}
