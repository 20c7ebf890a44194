import { teamsInScope } from "@/lib/auth/access";
import { can } from "@/lib/auth/authorize";
import { guard } from "@/lib/auth/guard";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import type { BundleStatus } from "@/lib/generated/prisma/client";

// The bundles people see (the /bundles page and GET /api/v1/bundles), and the tools a bundle may hold (its
// picker). Reviewers see every bundle (they decide on them), administrators too; an owner sees their teams'.

export interface BundleSummary {
  name: string;
  title: string;
  teamId: string;
  teamName: string;
  /** The newest version: the draft being written, or the one waiting for a reviewer, or the last decided. */
  latest: { number: number; status: BundleStatus; tools: number } | null;
  /** The highest certified version: the one /mcp/bundles/{name} serves; null when none is certified yet. */
  served: number | null;
}

/** The bundles the actor may see, by name; refused (audited) like bundleDetail for people who define none and review none. */
export async function listBundles(actor: Actor): Promise<BundleSummary[]> {
  let teams: string[] | "all" = "all";
  if (!can(actor, "bundles.review")) {
    await guard(actor, "bundles.define", { type: "bundle" });
    teams = await teamsInScope(actor, "bundle.define");
  }
  const bundles = await db().bundle.findMany({
    where: teams === "all" ? {} : { teamId: { in: teams } },
    orderBy: { name: "asc" },
    select: {
      name: true,
      title: true,
      teamId: true,
      team: { select: { name: true } },
      versions: { orderBy: { number: "desc" }, select: { number: true, status: true, _count: { select: { tools: true } } } },
    },
  });
  return bundles.map(({ team, versions, ...bundle }) => {
    const latest = versions[0];
    return {
      ...bundle,
      teamName: team.name,
      latest: latest ? { number: latest.number, status: latest.status, tools: latest._count.tools } : null,
      served: versions.find((version) => version.status === "certified")?.number ?? null,
    };
  });
}

export interface ToolChoice {
  /** The catalog entry's name, as com.example/crm. */
  server: string;
  title: string;
  tools: string[];
}

/** Every tool a certified (or deprecated) version declares, grouped by catalog entry: what a bundle may hold. */
export async function bundleToolChoices(actor: Actor): Promise<ToolChoice[]> {
  await guard(actor, "bundles.define", { type: "bundle" });
  const rows = await db().versionTool.findMany({
    where: { version: { status: { in: ["certified", "deprecated"] } } },
    select: { name: true, version: { select: { server: { select: { name: true, title: true } } } } },
  });
  const byServer = new Map<string, { title: string; tools: Set<string> }>();
  for (const row of rows) {
    const { name, title } = row.version.server;
    const entry = byServer.get(name) ?? { title, tools: new Set<string>() };
    entry.tools.add(row.name);
    byServer.set(name, entry);
  }
  return [...byServer.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([server, { title, tools }]) => ({ server, title, tools: [...tools].sort((a, b) => a.localeCompare(b)) }));
}

/** People's names by id, for a bundle's authors and reviewers. */
export async function peopleNames(ids: readonly (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
  const people = wanted.length ? await db().user.findMany({ where: { id: { in: wanted } }, select: { id: true, name: true } }) : [];
  return new Map(people.map((person) => [person.id, person.name]));
}
