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

/** A backend the sweep could not check: its name, version and why (the error's message). */
export interface UnreachableBackend {
  serverName: string;
  version: string;
  error: string;
}

export interface SweepResult {
  /** Backends listed and compared with their certified definitions. */
  checked: number;
  /** Of those, how many had drifted. */
  drifted: number;
  /** Backends whose check failed (down, refusing, timing out): findings of the run, not its failure. */
  unreachable: UnreachableBackend[];
  /** One line for the job's run (lib/runtime/jobs.ts stores it): "12 backends: 10 checked, 1 drifted, 2 unreachable: …". */
  summary: string;
}

/** One backend's reason in the summary: one line, short enough that several fit. */
const reasonMaxChars = 120;

/**
 * Checks every promoted backend, all at once, and resolves with what it found. A backend that cannot be
 * reached is a finding (in the summary, and logged once per run), not the job's failure: the job fails
 * only when the sweep itself cannot run (listing the promoted backends). Its own health is the circuit
 * breaker's business; the sweep tries it again next period.
 */
export async function sweepDrift(backends?: Backend[]): Promise<SweepResult> {
  const all = backends ?? (await promotedBackends());
  const results = await Promise.allSettled(all.map((backend) => checkDrift(backend)));
  const unreachable = results.flatMap((result, index) =>
    result.status === "rejected" ? [{ serverName: all[index]!.serverName, version: all[index]!.version, error: errorMessage(result.reason) }] : [],
  );
  for (const { serverName, version, error } of unreachable) console.error(`[toolgate] drift check of ${serverName} ${version} failed:`, error);
  const checked = all.length - unreachable.length;
  const drifted = results.filter((result) => result.status === "fulfilled" && result.value.drifted.length > 0).length;
  return { checked, drifted, unreachable, summary: sweepSummary(all.length, checked, drifted, unreachable) };
}

function sweepSummary(total: number, checked: number, drifted: number, unreachable: UnreachableBackend[]): string {
  if (total === 0) return "no promoted backends to check";
  const counts = `${total} ${total === 1 ? "backend" : "backends"}: ${checked} checked, ${drifted} drifted, ${unreachable.length} unreachable`;
  if (unreachable.length === 0) return counts;
  const reasons = unreachable.map(({ serverName, version, error }) => `${serverName} ${version} (${oneLine(error)})`);
  return `${counts}: ${reasons.join(", ")}`;
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length <= reasonMaxChars ? line : `${line.slice(0, reasonMaxChars - 1)}…`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
