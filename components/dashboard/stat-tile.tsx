import Link from "next/link";

interface StatTileProps {
  label: string;
  value: string;
  detail?: string;
  /** Where the number is worked on, when the viewer may go there. */
  href?: string;
  testId: string;
}

export function StatTile({ label, value, detail, href, testId }: StatTileProps) {
  const body = (
    <>
      <span className="block text-sm text-slate-600">{label}</span>
      <span className="mt-1 block text-2xl font-semibold tabular-nums" data-testid={`${testId}-value`}>
        {value}
      </span>
      {detail && <span className="mt-1 block text-xs text-slate-500">{detail}</span>}
    </>
  );
  const frame = "block rounded-lg border border-slate-200 bg-white p-4";
  return href ? (
    <Link href={href} className={`${frame} hover:border-indigo-300 hover:bg-indigo-50/40`} data-testid={testId}>
      {body}
    </Link>
  ) : (
    <div className={frame} data-testid={testId}>
      {body}
    </div>
  );
}
