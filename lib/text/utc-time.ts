/** An instant as people read it in tables and notes: "2026-12-01 00:12:40", UTC, to the second. */
export function utcToTheSecond(at: Date | string): string {
  const iso = typeof at === "string" ? at : at.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}
