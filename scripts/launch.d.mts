/** The newest modification time among the sources the builds read (0 when there are none). */
export function newestSource(base?: string): number;
/** Which builds are missing or older than the sources: "server" (dist/server), "next" (.next). */
export function staleBuilds(base?: string): Array<"server" | "next">;
