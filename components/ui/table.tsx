import type { ReactNode, TdHTMLAttributes } from "react";

/** A box that scrolls sideways on its own when a table is wider than the screen, so the page does not. */
export function ScrollBox({ label, children }: { label?: string; children: ReactNode }) {
  // Focusable, so a keyboard can scroll a table wider than the screen (axe: scrollable-region-focusable).
  // Relative, so visually hidden text (absolutely placed) inside it stays inside it, not past the page's edge.
  return (
    <div role="region" aria-label={label} tabIndex={0} className="relative max-w-full overflow-x-auto focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500">
      {children}
    </div>
  );
}

/** The padding every heading and cell of a table shares, so a column's heading lines up with its cells. */
export const cellPadding = "px-3 py-2";

/** A table cell with the table's padding; className adds to it (nowrap, a width, a tone), never replaces it. */
export function Cell({ className = "", ...cell }: TdHTMLAttributes<HTMLTableCellElement>) {
  return <td className={`${cellPadding} ${className}`} {...cell} />;
}

/** A plain data table: a header row of headings, then the rows the caller renders with Cell. */
export function Table({ label, headings, children }: { label?: string; headings: readonly string[]; children: ReactNode }) {
  return (
    <ScrollBox label={label}>
      <table className="w-full border-collapse bg-white text-sm" aria-label={label}>
        <thead className="border-b border-slate-200 text-left text-slate-600">
          <tr>
            {headings.map((heading) => (
              <th key={heading} className={`${cellPadding} whitespace-nowrap font-medium`}>
                {heading}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </ScrollBox>
  );
}
