"use client";

import { useId } from "react";
import { Button, FormMessage } from "@/components/ui/form-fields";
import { useFormAction } from "@/components/ui/use-form-action";
import type { ActionState } from "@/lib/action-state";
import type { ConnectionGuide } from "@/lib/gateway/agent-connection";

type PreviewTools = (state: ActionState<string[]>, form: FormData) => Promise<ActionState<string[]>>;

function Snippet({ label, text }: { label: string; text: string }) {
  return (
    <figure className="space-y-1">
      <figcaption className="text-sm font-medium">{label}</figcaption>
      <pre aria-label={label} className="overflow-x-auto rounded bg-slate-900 p-3 text-xs text-slate-100">
        <code>{text}</code>
      </pre>
    </figure>
  );
}

function ToolPreview({ action, agentId }: { action: PreviewTools; agentId: string }) {
  const { state, formAction, pending } = useFormAction(action);
  const tools = state.status === "ok" ? (state.data ?? []) : undefined;
  return (
    <form action={formAction} aria-label="Test connection" className="space-y-2">
      <input type="hidden" name="agentId" value={agentId} />
      <Button type="submit" variant="secondary" disabled={pending}>
        Test connection
      </Button>
      <FormMessage state={state} />
      {tools && tools.length > 0 && (
        <ul aria-label="Tools this agent sees" className="list-inside list-disc font-mono text-sm break-all">
          {tools.map((tool) => (
            <li key={tool}>{tool}</li>
          ))}
        </ul>
      )}
    </form>
  );
}

/** The other way in: a client-credentials token from the IdP the agent is bound to, instead of a key. */
function OAuthWay({ oauth }: { oauth: NonNullable<ConnectionGuide["oauth"]> }) {
  const headingId = useId();
  return (
    <section aria-labelledby={headingId} className="space-y-3 border-t border-slate-200 pt-4">
      <h3 id={headingId} className="font-semibold">
        Or with an access token from your identity provider
      </h3>
      <p>
        This agent is bound to the {oauth.kind === "client_id" ? "client" : "subject"} <code className="break-all font-mono">{oauth.subject}</code> of{" "}
        <code className="break-all font-mono">{oauth.issuer}</code>. Get a token by the client-credentials grant with <code className="font-mono">resource</code> = the
        gateway URL and <code className="font-mono">scope={oauth.scope}</code> (add <code className="font-mono">tools:call:high-risk</code> for high-risk tools), and send
        it as the bearer instead of a key. The client secret stays with the agent; Toolgate never sees it.
      </p>
      <Snippet label="A token with curl" text={oauth.tokenRequest} />
      <Snippet label="A TypeScript client with a client-credentials provider (MCP SDK)" text={oauth.sdkClient} />
    </section>
  );
}

/** How to connect the agent: the gateway's address, its tool naming, host settings, and what it sees now. */
export function AgentConnect({ guide, agentId, previewTools }: { guide: ConnectionGuide; agentId: string; previewTools?: PreviewTools }) {
  const { namingExample: naming } = guide;
  return (
    <details className="rounded border border-slate-200 p-4">
      <summary className="cursor-pointer font-semibold">Connect this agent</summary>
      <div className="mt-3 space-y-4 text-sm">
        <p>
          Gateway (MCP, Streamable HTTP): <code className="break-all font-mono">{guide.gatewayUrl}</code>, with <code className="font-mono">Authorization: Bearer &lt;API key&gt;</code>.
          Registry for hosts: <code className="break-all font-mono">{guide.registryUrl}</code>.
        </p>
        <p>
          Tools are named <code className="font-mono">&lt;server&gt;__&lt;tool&gt;</code>, the server name escaped (<code className="font-mono">_</code> → <code className="font-mono">_u</code>,{" "}
          <code className="font-mono">/</code> → <code className="font-mono">_s</code>): {naming.server} + {naming.tool} is <code className="font-mono">{naming.exposed}</code>.
        </p>
        <p>
          One entry only: <code className="break-all font-mono">{guide.entryUrlExample}</code> (its name URL-encoded), where {naming.tool} is just{" "}
          <code className="font-mono">{naming.tool}</code>. One of the team&apos;s bundles: <code className="break-all font-mono">{guide.bundleUrlExample}</code>, named the same way unless two of
          its tools share a name.
        </p>
        <Snippet label="A host's mcp.json" text={guide.mcpJson} />
        <Snippet label="A TypeScript client (MCP SDK)" text={guide.sdkClient} />
        {guide.oauth && <OAuthWay oauth={guide.oauth} />}
        {previewTools && <ToolPreview action={previewTools} agentId={agentId} />}
      </div>
    </details>
  );
}
