import { personActor, recordAudit } from "@/lib/audit/record";
import { authorizeOwned } from "@/lib/auth/access";
import { guard } from "@/lib/auth/guard";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { conflictIfTaken } from "@/lib/db/unique-violation";
import { ConflictError } from "@/lib/errors";
import { encryptSecret, secretHint } from "@/lib/crypto/secret-box";
import { introspect } from "@/lib/mcp/introspect";
import { introspectionHeaders } from "@/lib/signing/upstream-token";
import { parseInput } from "@/lib/validation";
import { assertKnownApprovalTools } from "./authority";
import { definitionHash } from "./definition-hash";
import { type CredentialInput, importTargetSchema, registerServerSchema } from "./schemas";
import { refreshSearchDocument } from "./search";
import { versionContents } from "./snapshot";

function credentialHeaders(credential?: CredentialInput): Record<string, string> | undefined {
  return credential ? { [credential.header]: credential.value } : undefined;
}

/** Step one of registration: what the live server declares, with each tool's hash. Nothing is stored. */
export async function previewImport(actor: Actor, input: unknown) {
  await guard(actor, "catalog.register", { type: "server" });
  const target = parseInput(importTargetSchema, input);
  const declared = await introspect({ url: target.endpointUrl, headers: credentialHeaders(target.credential) });
  return { ...declared, tools: declared.tools.map((tool) => ({ ...tool, definitionHash: definitionHash(tool) })) };
}

async function assertNameFree(name: string): Promise<void> {
  const taken = await db().server.findUnique({ where: { name }, select: { id: true } });
  if (taken) throw new ConflictError(`A server named ${name} is already registered.`);
}

/**
 * Registers a server and its first draft version from what the live server declares now. The
 * import happens before anything is written, so a failed import leaves nothing behind.
 */
export async function registerServer(actor: Actor, input: unknown) {
  await guard(actor, "catalog.register", { type: "server" });
  const data = parseInput(registerServerSchema, input);
  await authorizeOwned(actor, "server.register", { teamId: data.teamId }, { type: "server" });
  await assertNameFree(data.name);
  const declared = await introspect({ url: data.endpointUrl, headers: await introspectionHeaders(data.upstreamAuth, data.endpointUrl, credentialHeaders(data.credential)) });
  assertKnownApprovalTools(data.approvalTools, declared.tools.map((tool) => tool.name));
  const { credential, version, ...details } = data;
  return conflictIfTaken(
    db().$transaction(async (tx) => {
      const server = await tx.server.create({
        data: {
          ...details,
          credentialHeader: credential?.header,
          credentialCiphertext: credential && encryptSecret(credential.value),
          credentialHint: credential && secretHint(credential.value),
          createdById: actor.id,
          owners: { create: { userId: actor.id } },
          versions: { create: { ...version, ...versionContents(declared), createdById: actor.id } },
        },
        select: { id: true, name: true },
      });
      await refreshSearchDocument(tx, server.id);
      await recordAudit(tx, {
        actor: personActor(actor),
        action: "server.register",
        target: { type: "server", id: server.id },
        outcome: "success",
        details: { name: server.name, version: version.version, tools: declared.tools.map((tool) => tool.name) },
      });
      return server;
    }),
    `A server named ${data.name} is already registered.`,
  );
}
