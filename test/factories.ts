import { randomBytes } from "node:crypto";
import type { Actor, Role } from "@/lib/auth/roles";
import { hashPassword } from "@/lib/auth/password";
import { definitionHash } from "@/lib/catalog/definition-hash";
import { db } from "@/lib/db/prisma";
import type { DataClassification, Environment, Prisma, VersionStatus } from "@/lib/generated/prisma/client";

/** A person stored in the test database, with the given roles and password. */
export async function makeUser(roles: Role[], password = "correct horse battery"): Promise<Actor & { password: string }> {
  const email = `${roles.join("-") || "nobody"}-${randomBytes(4).toString("hex")}@example.com`;
  const user = await db().user.create({
    data: { email, name: "Test Person", roles, passwordHash: await hashPassword(password) },
  });
  return { id: user.id, email: user.email, roles: user.roles, password };
}

/** A team with these people as members. */
export async function makeTeam(members: { id: string }[] = [], name = `Team ${randomBytes(3).toString("hex")}`) {
  return db().team.create({
    data: { name, members: { create: members.map((member) => ({ userId: member.id })) } },
    select: { id: true, name: true },
  });
}

export interface VersionSpec {
  version: string;
  status?: VersionStatus;
  tools?: ToolSpec[];
}

/** A tool definition; the input schema defaults to an empty object schema. */
export interface ToolSpec {
  name: string;
  title?: string;
  description?: string;
  inputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

/**
 * A catalog entry made directly in the database (no MCP server behind it), with its versions in the
 * given statuses. Tool hashes are computed like real imports'.
 */
export async function makeServer(options: {
  teamId?: string;
  name?: string;
  classification?: DataClassification;
  environments?: Environment[];
  versions?: VersionSpec[];
}) {
  const teamId = options.teamId ?? (await makeTeam()).id;
  const name = options.name ?? `com.example/server-${randomBytes(3).toString("hex")}`;
  const server = await db().server.create({
    data: {
      name,
      title: name,
      purpose: "Testing.",
      teamId,
      classification: options.classification ?? "internal",
      environments: options.environments ?? ["dev", "staging", "prod"],
      endpointUrl: "http://127.0.0.1:9/mcp",
    },
    select: { id: true, name: true },
  });
  const versionIds: string[] = [];
  for (const spec of options.versions ?? [{ version: "1.0.0" }]) {
    const tools = (spec.tools ?? [{ name: "read_record", annotations: { readOnlyHint: true } }]).map((tool, position) => {
      const definition = { name: tool.name, title: tool.title, description: tool.description, inputSchema: tool.inputSchema ?? { type: "object" }, annotations: tool.annotations };
      return {
        ...definition,
        inputSchema: definition.inputSchema as Prisma.InputJsonObject,
        annotations: definition.annotations as Prisma.InputJsonObject | undefined,
        position,
        definitionHash: definitionHash(definition),
      };
    });
    const version = await db().serverVersion.create({
      data: { serverId: server.id, version: spec.version, declaredName: name, declaredVersion: spec.version, protocolVersion: "2025-11-25", tools: { create: tools } },
      select: { id: true },
    });
    if (spec.status && spec.status !== "draft") await db().serverVersion.update({ where: { id: version.id }, data: { status: spec.status } });
    versionIds.push(version.id);
  }
  return { ...server, teamId, versionIds };
}
