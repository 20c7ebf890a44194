import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";

// Every refusal of a person's action is audited because it goes through lib/auth/guard.ts (`refuse`,
// `guard`) or, for pages, lib/auth/session.ts (`forbidPage`). A ForbiddenError or a 403 page made
// anywhere else would be a refusal nobody recorded.
const root = path.resolve(import.meta.dirname, "../..");
const allowed: Record<string, string> = {
  "new ForbiddenError(": "lib/auth/guard.ts",
  "forbidden()": "lib/auth/session.ts",
};

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(path.join(root, dir), { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const relative = path.join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === "generated" ? [] : sourceFiles(relative);
      return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [relative] : [];
    }),
  );
  return nested.flat();
}

describe("refusals", () => {
  it("are made only where they are audited", async () => {
    const files = [...(await sourceFiles("lib")), ...(await sourceFiles("app"))];
    const offenders: string[] = [];
    for (const file of files) {
      const text = await readFile(path.join(root, file), "utf8");
      for (const [pattern, home] of Object.entries(allowed)) if (text.includes(pattern) && file !== home) offenders.push(`${file}: ${pattern}`);
    }
    expect(offenders).toEqual([]);
  });
});
