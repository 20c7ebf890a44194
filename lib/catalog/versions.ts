import semver from "semver";
import { personActor, recordAudit } from "@/lib/audit/record";
import { guard } from "@/lib/auth/guard";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { conflictIfTaken } from "@/lib/db/unique-violation";
import { ConflictError } from "@/lib/errors";
import { introspect } from "@/lib/mcp/introspect";
import { introspectionHeaders } from "@/lib/signing/upstream-token";
import { parseInput } from "@/lib/validation";
import { storedHeaders } from "./credentials";
import { ownedEntry } from "./owned";
import { versionDiff } from "./read";
import { versionInputSchema } from "./schemas";
import { refreshSearchDocument } from "./search";
import { versionContents } from "./snapshot";

/**
 * Imports what the live server declares now as a new draft version. Versions only go up, so the
 * previous version is always the one to diff against.
 */
export async function importVersion(actor: Actor, serverId: string, input: unknown) {
  await guard(actor, "catalog.edit", { type: "server", id: serverId });
  const data = parseInput(versionInputSchema, input);
  const server = await ownedEntry(actor, serverId, {
    teamId: true,
    endpointUrl: true,
    credentialHeader: true,
    credentialCiphertext: true,
    upstreamAuth: true,
    versions: { select: { version: true }, orderBy: { createdAt: "desc" }, take: 1 },
  });
  const latest = server.versions[0]?.version;
  if (latest && !semver.gt(data.version, latest)) {
    throw new ConflictError(`Version ${data.version} must be greater than the latest version, ${latest}.`);
  }
  const declared = await introspect({ url: server.endpointUrl, headers: await introspectionHeaders(server.upstreamAuth, server.endpointUrl, storedHeaders(server)) });
  await conflictIfTaken(
    db().$transaction(async (tx) => {
      await tx.serverVersion.create({ data: { serverId, ...data, ...versionContents(declared), createdById: actor.id } });
      await refreshSearchDocument(tx, serverId);
      await recordAudit(tx, {
        actor: personActor(actor),
        action: "server.version.import",
        target: { type: "server", id: serverId },
        outcome: "success",
        details: { version: data.version, tools: declared.tools.map((tool) => tool.name) },
      });
    }),
    `Version ${data.version} already exists.`,
  );
  return versionDiff(serverId, data.version);
}
