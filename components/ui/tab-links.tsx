import Link from "next/link";

/** Tabs that are plain links, so each tab has its own address and works without JavaScript. */
export function TabLinks({ label, tabs, current }: { label: string; tabs: { id: string; label: string; href: string }[]; current: string }) {
  return (
    <nav aria-label={label} className="mb-6 flex flex-wrap gap-1 border-b border-slate-200">
      {tabs.map((tab) => (
        <Link
          key={tab.id}
          href={tab.href}
          aria-current={tab.id === current ? "page" : undefined}
          className={`-mb-px border-b-2 px-3 py-2 text-sm ${tab.id === current ? "border-indigo-700 font-semibold text-indigo-800" : "border-transparent text-slate-600 hover:text-slate-900"}`}
        >
          {tab.label}
        </Link>
      ))}
    </nav>
  );
}
