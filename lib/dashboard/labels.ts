// Bar labels for the dashboard's ranked charts. The axis has room for about `labelRoom` characters;
// a longer name is shortened where it says least, and the whole name goes in the tooltip. Tools are
// labelled `server · tool`: the tool is kept whole and the server loses its start (its namespace,
// which tools of one server share), so two tools never look the same.

export const labelRoom = 32;

export interface BarLabel {
  /** What the axis shows, at most `labelRoom` characters. */
  label: string;
  /** The whole name, for the tooltip. */
  full: string;
}

const ellipsis = "…";

/** Keeps the start: "a-very-long-agent-na…". */
export function headLabel(name: string, room = labelRoom): BarLabel {
  return { label: name.length > room ? `${name.slice(0, room - 1)}${ellipsis}` : name, full: name };
}

/** Keeps the end: "…ample_files__read". */
function tail(name: string, room: number): string {
  return name.length > room ? `${ellipsis}${name.slice(name.length - room + 1)}` : name;
}

/** `server · tool`, or the tool alone for a call refused before it named a known server. */
export function toolLabel(server: string | null, tool: string, room = labelRoom): BarLabel {
  const full = server ? `${server} · ${tool}` : tool;
  if (full.length <= room) return { label: full, full };
  // A name the gateway could not resolve ends with the tool part, so its end says most.
  if (!server) return { label: tail(tool, room), full };
  const serverRoom = room - tool.length - " · ".length;
  // Too little room for a recognisable piece of the server: the tool alone, shortened at its end if it must be.
  if (serverRoom < 4) return { label: headLabel(tool, room).label, full };
  return { label: `${tail(server, serverRoom)} · ${tool}`, full };
}
