import { db } from "@/lib/db/prisma";
import type { Backend } from "./backends";
import { checkDrift } from "./drift";
import { backendOf } from "./resolution";

// The cluster's drift sweep (the "drift-sweep" job, once per cluster every 5 minutes; decision 040):
// every version pinned in some environment that is still serving is re-listed and compared with its
// certified definitions — not only the backends one instance happens to pool. A backend no instance
// pools gets a session of the gateway's own (the pool's reaper closes it once idle). Incidents are
// shared through the database and its notifications, so every instance hides a drifted tool at once.

/** The backends of every pinned, serving version (certified, or deprecated before its sunset). */
export async function promotedBackends(now = new Date()): Promise<Backend[]> {
  const pins = await db().pin.findMany({
    where: { version: { OR: [{ status: "certified" }, { status: "deprecated", OR: [{ sunsetAt: null }, { sunsetAt: { gt: now } }] }] } },
    select: {
      server: { select: { id: true, name: true, endpointUrl: true, credentialHeader: true, credentialCiphertext: true, upstreamAuth: true } },
      version: { select: { id: true, version: true } },
    },
  });
  const byVersion = new Map<string, Backend>();
  for (const { server, version } of pins) {
    if (byVersion.has(version.id)) continue;
    byVersion.set(version.id, backendOf(server, version));
  }
  return [...byVersion.values()];
}

/** Checks every promoted backend; throws naming those whose check failed (so the job shows it), after checking the rest. */
export async function sweepDrift(backends?: Backend[]): Promise<{ checked: number; drifted: number }> {
  const all = backends ?? (await promotedBackends());
  const results = await Promise.allSettled(all.map((backend) => checkDrift(backend)));
  const failed = results.flatMap((result, index) =>
    result.status === "rejected" ? [`${all[index]!.serverName} ${all[index]!.version}: ${result.reason instanceof Error ? result.reason.message : String(result.reason)}`] : [],
  );
  if (failed.length > 0) throw new Error(`drift check failed for ${failed.length} of ${all.length} backends: ${failed.join("; ")}`);
  return { checked: all.length, drifted: results.filter((result) => result.status === "fulfilled" && result.value.drifted.length > 0).length };
}
