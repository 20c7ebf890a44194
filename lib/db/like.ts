// LIKE treats _ and % as wildcards and a backslash as the escape; Prisma's contains and startsWith
// pass their text to LIKE as it is. User filters are literal text, so those three are escaped.

export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}
