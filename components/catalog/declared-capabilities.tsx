import type { ReactNode } from "react";
import { Badge, type Tone } from "@/components/ui/badges";

// What an MCP server declares, as shown in the registration wizard and on the entry's Tools tab.

export interface ToolView {
  name: string;
  title?: string | null;
  description?: string | null;
  inputSchema?: unknown;
  outputSchema?: unknown;
  annotations?: unknown;
  definitionHash: string;
}

export interface ResourceView {
  uri: string;
  name: string;
  title?: string | null;
  description?: string | null;
  mimeType?: string | null;
}

export interface ResourceTemplateView {
  uriTemplate: string;
  name: string;
  title?: string | null;
  description?: string | null;
  mimeType?: string | null;
}

export interface PromptView {
  name: string;
  title?: string | null;
  description?: string | null;
  arguments?: unknown;
}

const hints: { key: string; label: string; whenTrue: Tone }[] = [
  { key: "readOnlyHint", label: "read-only", whenTrue: "good" },
  { key: "destructiveHint", label: "destructive", whenTrue: "bad" },
  { key: "idempotentHint", label: "idempotent", whenTrue: "info" },
  { key: "openWorldHint", label: "open world", whenTrue: "warn" },
];

function hintValue(annotations: unknown, key: string): unknown {
  return annotations && typeof annotations === "object" ? (annotations as Record<string, unknown>)[key] : undefined;
}

/**
 * Whether a tool should need a human approval in production unless the owner says otherwise: it may
 * destroy something, or it does not promise to be read-only.
 */
export function needsApprovalByDefault(tool: Pick<ToolView, "annotations">): boolean {
  return hintValue(tool.annotations, "destructiveHint") === true || hintValue(tool.annotations, "readOnlyHint") !== true;
}

function AnnotationBadges({ annotations }: { annotations: unknown }) {
  const shown = hints.filter((hint) => typeof hintValue(annotations, hint.key) === "boolean");
  if (shown.length === 0) return <span className="text-xs text-slate-500">no annotations</span>;
  return (
    <span className="flex flex-wrap gap-1">
      {shown.map(({ key, label, whenTrue }) =>
        hintValue(annotations, key) ? (
          <Badge key={key} tone={whenTrue}>
            {label}
          </Badge>
        ) : (
          <Badge key={key}>not {label}</Badge>
        ),
      )}
    </span>
  );
}

interface Parameter {
  name: string;
  type: string;
  required: boolean;
}

/** The top-level parameters an object schema declares, for a reader; nothing for any other schema. */
function parametersOf(schema: unknown): Parameter[] {
  const { properties, required } = (schema ?? {}) as { properties?: unknown; required?: unknown };
  if (!properties || typeof properties !== "object" || Array.isArray(properties)) return [];
  const requiredNames = Array.isArray(required) ? required : [];
  return Object.entries(properties as Record<string, { type?: unknown; enum?: unknown }>).map(([name, property]) => {
    const type = Array.isArray(property?.type) ? property.type.join(" | ") : typeof property?.type === "string" ? property.type : Array.isArray(property?.enum) ? "one of a list" : "any";
    return { name, type, required: requiredNames.includes(name) };
  });
}

// A schema reads as its parameters; the JSON itself is folded away until asked for.
function SchemaBlock({ label, value }: { label: string; value: unknown }) {
  const parameters = parametersOf(value);
  // min-w-0: a grid item otherwise grows to its widest line, and the schema would widen the page.
  return (
    <div className="min-w-0">
      <h4 className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</h4>
      {value === undefined || value === null ? (
        <p className="text-sm text-slate-500">none declared</p>
      ) : (
        <>
          {parameters.length > 0 && (
            <ul aria-label={`${label} parameters`} className="mt-1 space-y-0.5 text-sm">
              {parameters.map((parameter) => (
                <li key={parameter.name}>
                  <code className="font-mono">{parameter.name}</code>: {parameter.type}
                  {parameter.required && <span className="text-slate-600"> (required)</span>}
                </li>
              ))}
            </ul>
          )}
          <details className="mt-1">
            <summary className="cursor-pointer text-xs text-slate-600">JSON</summary>
            <pre className="mt-1 max-h-96 overflow-auto rounded bg-slate-50 p-3 font-mono text-xs">{JSON.stringify(value, null, 2)}</pre>
          </details>
        </>
      )}
    </div>
  );
}

function NothingDeclared({ what }: { what: string }) {
  return <p className="text-sm text-slate-600">The server declares no {what}.</p>;
}

function ToolList({ tools, showSchemas = false }: { tools: ToolView[]; showSchemas?: boolean }) {
  if (tools.length === 0) return <NothingDeclared what="tools" />;
  return (
    <ul className="space-y-3" aria-label="Tools">
      {tools.map((tool) => (
        <li key={tool.name} className="rounded-lg border border-slate-200 bg-white p-4" data-testid={`tool-${tool.name}`}>
          <div className="flex flex-wrap items-baseline gap-3">
            <h3 className="font-mono font-semibold">{tool.name}</h3>
            {tool.title && <span className="text-slate-700">{tool.title}</span>}
            <AnnotationBadges annotations={tool.annotations} />
          </div>
          {tool.description && <p className="mt-1 text-sm text-slate-700">{tool.description}</p>}
          <p className="mt-1 break-all font-mono text-xs text-slate-500">sha256 {tool.definitionHash}</p>
          {showSchemas && (
            <div className="mt-3 grid gap-3 lg:grid-cols-2">
              <SchemaBlock label="Input schema" value={tool.inputSchema} />
              <SchemaBlock label="Output schema" value={tool.outputSchema} />
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}

interface CompactItem {
  key: string;
  heading: ReactNode;
  description?: string | null;
}

/** Resources and prompts: one line of what identifies each, and its description under it. */
function CompactList({ label, items }: { label: string; items: CompactItem[] }) {
  if (items.length === 0) return <NothingDeclared what={label.toLowerCase()} />;
  return (
    <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white text-sm" aria-label={label}>
      {items.map((item) => (
        <li key={item.key} className="px-4 py-2">
          {item.heading}
          {item.description && <p className="text-slate-600">{item.description}</p>}
        </li>
      ))}
    </ul>
  );
}

function ResourceList({ resources }: { resources: ResourceView[] }) {
  const items = resources.map((resource) => ({
    key: resource.uri,
    description: resource.description,
    heading: (
      <>
        <span className="font-medium">{resource.title ?? resource.name}</span>{" "}
        <span className="break-all font-mono text-xs text-slate-500">{resource.uri}</span>
        {resource.mimeType && <span className="ml-2 text-xs text-slate-500">{resource.mimeType}</span>}
      </>
    ),
  }));
  return <CompactList label="Resources" items={items} />;
}

function ResourceTemplateList({ templates }: { templates: ResourceTemplateView[] }) {
  const items = templates.map((template) => ({
    key: template.uriTemplate,
    description: template.description,
    heading: (
      <>
        <span className="font-medium">{template.title ?? template.name}</span>{" "}
        <span className="break-all font-mono text-xs text-slate-500">{template.uriTemplate}</span>
        {template.mimeType && <span className="ml-2 text-xs text-slate-500">{template.mimeType}</span>}
      </>
    ),
  }));
  return <CompactList label="Resource templates" items={items} />;
}

function promptArguments(value: unknown): string {
  if (!Array.isArray(value) || value.length === 0) return "no arguments";
  return value.map((arg: { name?: unknown; required?: unknown }) => `${String(arg.name)}${arg.required ? "" : "?"}`).join(", ");
}

function PromptList({ prompts }: { prompts: PromptView[] }) {
  const items = prompts.map((prompt) => ({
    key: prompt.name,
    description: prompt.description,
    heading: (
      <>
        <span className="font-mono font-medium">{prompt.name}</span>
        {prompt.title && <span className="ml-2">{prompt.title}</span>}
        <span className="ml-2 text-xs text-slate-500">({promptArguments(prompt.arguments)})</span>
      </>
    ),
  }));
  return <CompactList label="Prompts" items={items} />;
}

/** Tools, resources (and resource templates, when given) and prompts under their own headings. */
export function DeclaredCapabilities({
  tools,
  resources,
  resourceTemplates,
  prompts,
  showSchemas,
}: {
  tools: ToolView[];
  resources: ResourceView[];
  resourceTemplates?: ResourceTemplateView[];
  prompts: PromptView[];
  showSchemas?: boolean;
}) {
  return (
    <div className="space-y-6">
      <section>
        <h2 className="mb-2 text-lg font-semibold">Tools ({tools.length})</h2>
        <ToolList tools={tools} showSchemas={showSchemas} />
      </section>
      <section>
        <h2 className="mb-2 text-lg font-semibold">Resources ({resources.length})</h2>
        <ResourceList resources={resources} />
      </section>
      {resourceTemplates && (
        <section>
          <h2 className="mb-2 text-lg font-semibold">Resource templates ({resourceTemplates.length})</h2>
          <ResourceTemplateList templates={resourceTemplates} />
        </section>
      )}
      <section>
        <h2 className="mb-2 text-lg font-semibold">Prompts ({prompts.length})</h2>
        <PromptList prompts={prompts} />
      </section>
    </div>
  );
}
