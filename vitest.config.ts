import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["lib/**/*.test.ts", "app/**/*.test.ts"],
    environment: "node",
    pool: "forks",
    globalSetup: ["test/global-setup.ts"],
    setupFiles: ["test/file-database.ts"],
    env: { TOOLGATE_ENCRYPTION_KEY: "test-encryption-key-0123456789abcdef" },
    testTimeout: 30_000,
    hookTimeout: 90_000,
  },
});
