import { ValidationError } from "@/lib/errors";
import { hasUnsafeCharacters } from "@/lib/text/unsafe-text";

// LIKE treats _ and % as wildcards and a backslash as the escape; Prisma's contains and startsWith
// pass their text to LIKE as it is. User filters are literal text, so those three are escaped.
// Every user filter passes here, so here is also the last stop for characters PostgreSQL refuses (NUL)
// or that mislead a reader: whichever parser let one through, the caller gets a 400, not a 500.

export function likeLiteral(text: string): string {
  if (hasUnsafeCharacters(text, { singleLine: true })) throw new ValidationError("A search or filter must not contain control or bidirectional-override characters.");
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}
