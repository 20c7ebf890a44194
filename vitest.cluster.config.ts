import path from "node:path";
import { defineConfig } from "vitest/config";

// `npm run test:cluster`: one PostgreSQL, three instances of the production build and HAProxy per test file
// (test/cluster/harness), so the files run one after another. The main Vitest run (vitest.config.ts) does not
// include them: they need `npm run build` first and take minutes.
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["test/cluster/**/*.cluster.test.ts"],
    environment: "node",
    pool: "forks",
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 240_000,
  },
});
