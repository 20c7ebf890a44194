"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

export interface NavLink {
  href: string;
  label: string;
  /** What waits there for the signed-in person; a badge when above 0, read out as "2 waiting". */
  count?: { value: number; word: string; tone: "warn" | "bad" };
}

// Whole class names, so that Tailwind finds them.
const badgeTones = { warn: "bg-amber-100 text-amber-900", bad: "bg-red-100 text-red-800" };

/**
 * The number beside a label, and the same in words for the owner's name ("Approvals 2 waiting"). Not an
 * aria-label: a name must contain the visible text (axe: label-content-name-mismatch), and words that follow
 * the label do.
 */
export function CountBadge({ count }: { count?: NavLink["count"] }) {
  if (!count || count.value <= 0) return null;
  return (
    <>
      <span aria-hidden="true" className={`ml-1.5 inline-block min-w-5 rounded-full px-1.5 text-center text-xs font-semibold leading-5 ${badgeTones[count.tone]}`}>
        {count.value}
      </span>
      <span className="sr-only">
        {" "}
        {count.value} {count.word}
      </span>
    </>
  );
}

export function NavLinks({ links }: { links: NavLink[] }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Main" className="flex flex-col gap-1 xl:flex-row">
      {links.map(({ href, label, count }) => {
        const active = pathname === href || pathname.startsWith(`${href}/`);
        return (
          <Link
            key={href}
            href={href}
            aria-current={active ? "page" : undefined}
            className={`rounded px-3 py-2 text-sm ${active ? "bg-indigo-50 font-semibold text-indigo-800" : "text-slate-700 hover:bg-slate-100"}`}
          >
            {label}
            <CountBadge count={count} />
          </Link>
        );
      })}
    </nav>
  );
}
