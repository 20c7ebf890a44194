// `npm run lint:deploy`: the deploy files through the linters installed here. Each missing linter is
// skipped with a line saying so (none is needed by `npm test` or .ci/run; the Vitest test
// lib/runtime/deploy-manifests.test.ts checks the files' invariants without them).
//   yamllint (Debian: yamllint)  compose.yaml, the chart's Chart.yaml and values.yaml
//   haproxy (Debian: haproxy)    haproxy -c on deploy/haproxy/haproxy.cfg
//   helm                         helm lint and helm template on deploy/helm/toolgate
//   hadolint                     the Dockerfile
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const chart = "deploy/helm/toolgate";
const yamllintConfig = "{extends: default, rules: {line-length: {max: 140}, document-start: disable}}";
// helm template needs the required values; these stand in for an operator's.
const chartValues = ["--set", "publicUrl=https://toolgate.example.com", "--set", "ingress.enabled=true", "--set", "ingress.host=toolgate.example.com"];

const checks = [
  ["yamllint", ["-s", "-d", yamllintConfig, "compose.yaml", `${chart}/Chart.yaml`, `${chart}/values.yaml`]],
  ["haproxy", ["-c", "-f", "deploy/haproxy/haproxy.cfg"]],
  ["helm", ["lint", chart, ...chartValues]],
  ["helm", ["template", "toolgate", chart, ...chartValues]],
  ["hadolint", ["Dockerfile"]],
];

const installed = (tool) => spawnSync(tool, ["--version"], { stdio: "ignore" }).error === undefined;
let failed = 0;
for (const [tool, args] of checks) {
  if (!installed(tool)) {
    console.log(`skipped: ${tool} ${args[0]} (${tool} is not installed)`);
    continue;
  }
  const result = spawnSync(tool, args, { cwd: root, encoding: "utf8" });
  const ok = result.status === 0;
  if (!ok) failed++;
  console.log(`${ok ? "ok" : "FAILED"}: ${tool} ${args.join(" ").slice(0, 80)}`);
  if (!ok) console.log(`${result.stdout}${result.stderr}`);
}
process.exit(failed ? 1 : 0);
