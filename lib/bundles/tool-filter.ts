import type { ToolChoice } from "./bundle-list";

/** What the tool picker shows for a filter: a tool matches by its name, or by its entry's name or title; case ignored. */
export function filterTools(choices: readonly ToolChoice[], filter: string) {
  const needle = filter.trim().toLowerCase();
  const matches = (text: string) => needle === "" || text.toLowerCase().includes(needle);
  const groups = choices.map((choice) => {
    const entryMatches = matches(choice.server) || matches(choice.title);
    const visible = choice.tools.map((tool) => entryMatches || matches(tool));
    return { choice, visible, hidden: !visible.some(Boolean) };
  });
  const shown = groups.reduce((sum, group) => sum + group.visible.filter(Boolean).length, 0);
  const total = choices.reduce((sum, choice) => sum + choice.tools.length, 0);
  return { groups, shown, total };
}
