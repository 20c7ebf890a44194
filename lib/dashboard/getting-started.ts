import { db } from "@/lib/db/prisma";

// The first steps of a new Toolgate, each done once the database shows it: what an empty install needs
// before an agent can call a governed tool. The dashboard shows the list until every step is done.

export interface StartStep {
  label: string;
  done: boolean;
  /** Where the step is taken. */
  href: string;
}

export async function gettingStarted(): Promise<StartStep[]> {
  const [teams, people, servers, certified, pins, keys] = await Promise.all([
    db().team.count(),
    db().user.count(),
    db().server.count(),
    db().serverVersion.count({ where: { status: { in: ["certified", "deprecated"] } } }),
    db().pin.count(),
    db().apiKey.count({ where: { revokedAt: null } }),
  ]);
  return [
    { label: "Create a team", done: teams > 0, href: "/admin" },
    { label: "Add people: server owners, reviewers and approvers", done: people > 1, href: "/admin" },
    { label: "Register an MCP server", done: servers > 0, href: "/catalog" },
    { label: "Certify a version", done: certified > 0, href: "/reviews" },
    { label: "Promote it to an environment", done: pins > 0, href: "/catalog" },
    { label: "Connect an agent with an API key", done: keys > 0, href: "/agents" },
  ];
}
