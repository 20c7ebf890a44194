import type { Introspection } from "@/lib/mcp/introspect";
import type { Prisma } from "@/lib/generated/prisma/client";
import { definitionHash, promptDefinitionHash, resourceDefinitionHash, resourceTemplateDefinitionHash } from "./definition-hash";

const json = (value: unknown) => (value === undefined ? undefined : (value as Prisma.InputJsonValue));

/** What a server declared, as the rows of a new version: every tool, resource, resource template and prompt with its definition hash. */
export function versionContents(declared: Introspection) {
  return {
    declaredName: declared.serverInfo.name,
    declaredVersion: declared.serverInfo.version,
    protocolVersion: declared.protocolVersion,
    tools: {
      create: declared.tools.map((tool, position) => ({
        position,
        name: tool.name,
        title: tool.title,
        description: tool.description,
        inputSchema: json(tool.inputSchema)!,
        outputSchema: json(tool.outputSchema),
        annotations: json(tool.annotations),
        definitionHash: definitionHash(tool),
      })),
    },
    resources: {
      create: declared.resources.map((resource, position) => ({ position, ...resource, definitionHash: resourceDefinitionHash(resource) })),
    },
    resourceTemplates: {
      create: declared.resourceTemplates.map((template, position) => ({ position, ...template, definitionHash: resourceTemplateDefinitionHash(template) })),
    },
    prompts: {
      create: declared.prompts.map((prompt, position) => ({ position, ...prompt, arguments: json(prompt.arguments), definitionHash: promptDefinitionHash(prompt) })),
    },
  };
}
