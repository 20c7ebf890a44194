/** A moment as people read it on these pages: minutes, in UTC (policies read hours in UTC too). */
export const utcMinute = (date: Date) => `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;

/** The first characters of a set's sha-256: enough to tell sets apart on a page; the full hash is in its title. */
export const shortHash = (hash: string) => hash.slice(0, 12);
