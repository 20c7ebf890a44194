export const serverOutDir: string;
export const serverEntryPoints: string[];
/** Compiles the entry points to `outDir` (dist/server); returns the packages the result imports. */
export function buildServer(outDir?: string): Promise<string[]>;
