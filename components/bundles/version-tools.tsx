/** A version's tools, each with its catalog entry. */
export function VersionTools({ tools, number }: { tools: readonly { server: string; tool: string }[]; number: number }) {
  return (
    <ul aria-label={`Tools of version ${number}`} className="space-y-0.5">
      {tools.map((ref) => (
        <li key={`${ref.server} ${ref.tool}`} className="break-all">
          <span className="font-mono">{ref.tool}</span> <span className="text-slate-600">of</span> <span className="font-mono text-slate-700">{ref.server}</span>
        </li>
      ))}
    </ul>
  );
}
