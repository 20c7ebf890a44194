-- Discovery mode (issue #19, item 3; decision 034): an agent whose tools/list shows three meta-tools
-- (search_tools, describe_tool, call_tool) instead of every schema. The agents trigger of
-- 20261124400000_gateway fires on any update of the table, so a change reaches the cached views.
CREATE TYPE "ToolDiscovery" AS ENUM ('all', 'search');

ALTER TABLE "agents" ADD COLUMN "tool_discovery" "ToolDiscovery" NOT NULL DEFAULT 'all';
