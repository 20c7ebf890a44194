import type { ReactNode } from "react";

interface Props {
  items: [label: string, value: ReactNode][];
  /** With a title the list becomes a section under that heading; children go between the two. */
  title?: string;
  children?: ReactNode;
}

/** Label–value pairs; empty text shows as "Not given" so gaps in an entry are visible. */
export function DescriptionList({ items, title, children }: Props) {
  const list = (
    <dl className="grid gap-x-6 gap-y-3 rounded-lg border border-slate-200 bg-white p-6 text-sm sm:grid-cols-[12rem_1fr]">
      {items.map(([label, value]) => (
        <div key={label} className="contents">
          <dt className="font-medium text-slate-600">{label}</dt>
          <dd className="min-w-0 whitespace-pre-line break-words">{value === "" || value === null || value === undefined ? <span className="text-slate-500">Not given</span> : value}</dd>
        </div>
      ))}
    </dl>
  );
  if (!title) return list;
  return (
    <section>
      <h2 className="mb-2 text-lg font-semibold">{title}</h2>
      {children}
      {list}
    </section>
  );
}
