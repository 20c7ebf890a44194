"use client";

import { usePathname } from "next/navigation";
import { type MouseEvent, type ReactNode, useEffect, useId, useRef, useState } from "react";
import { CountBadge } from "@/components/ui/nav-links";

/**
 * The header's links and account: in a row on wide screens, behind a Menu button below the `xl`
 * breakpoint. The button says whether the panel is open (aria-expanded) and which it opens
 * (aria-controls); Escape closes the panel and returns focus to the button, as does following a link.
 * `waiting`, the sum of the navigation's counts, shows on the button, so a closed menu says that something waits.
 */
export function SiteMenu({ children, waiting = 0 }: { children: ReactNode; waiting?: number }) {
  const count = { value: waiting, word: "waiting", tone: "warn" } as const;
  const pathname = usePathname();
  const panelId = useId();
  const button = useRef<HTMLButtonElement>(null);
  // Open for the page it was opened on: moving to another page closes it without an effect.
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === pathname;

  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      setOpenOn(null);
      button.current?.focus();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [open]);

  // A link to the page already shown does not change the path, so close on any link's click too.
  const closeOnLink = (event: MouseEvent<HTMLDivElement>) => {
    if (event.target instanceof Element && event.target.closest("a")) setOpenOn(null);
  };

  return (
    <>
      <button
        ref={button}
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpenOn(open ? null : pathname)}
        className="ml-auto flex items-center gap-2 rounded border border-slate-300 px-3 py-2 text-sm font-medium text-slate-800 hover:bg-slate-100 xl:hidden"
      >
        <svg aria-hidden="true" viewBox="0 0 20 20" className="h-4 w-4" fill="none" stroke="currentColor" strokeWidth="2">
          {open ? <path d="M5 5l10 10M15 5L5 15" /> : <path d="M3 6h14M3 10h14M3 14h14" />}
        </svg>
        Menu
        <CountBadge count={count} />
      </button>
      <div
        id={panelId}
        onClick={closeOnLink}
        className={`${open ? "flex" : "hidden"} w-full flex-col gap-3 pb-2 xl:flex xl:w-auto xl:flex-1 xl:flex-row xl:items-center xl:gap-6 xl:pb-0`}
      >
        {children}
      </div>
    </>
  );
}
