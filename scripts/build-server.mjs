// `npm run build:server`: compiles the server's entry points (start, serve, migrate) and the lib/ code they
// import to plain JavaScript in dist/server, so `npm start` and the container image run them with node
// alone (docs/decisions/037-production-build-and-deploy.md). Packages stay imports of node_modules; the
// `@/` alias resolves through tsconfig.json. Under a second; `npm run build` runs it before `next build`.
import { statSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const serverOutDir = path.join(root, "dist", "server");
export const serverEntryPoints = ["start", "serve", "migrate"].map((name) => path.join(root, "scripts", `${name}.ts`));

// Next.js's subpath modules (next/server, next/headers) have no "exports" map, so Node's ES module
// loader finds them only by their file name, next/server.js; bundlers and tsx add the extension themselves.
const nextSubpaths = {
  name: "next-subpaths",
  setup(builder) {
    builder.onResolve({ filter: /^next\/[\w-]+$/ }, (args) => ({ path: `${args.path}.js`, external: true }));
  },
};

// Every package the compiled server imports must resolve as Node will resolve it at run time; a
// specifier only a bundler understands fails the build here rather than the start.
function assertResolvable(metafile) {
  const specifiers = new Set();
  for (const output of Object.values(metafile.outputs)) {
    for (const imported of output.imports) if (imported.external && !imported.path.startsWith("node:")) specifiers.add(imported.path);
  }
  const unresolved = [...specifiers].filter((specifier) => {
    try {
      // Node 20 resolves without looking: a path with no file behind it is as unresolved as an error.
      const url = import.meta.resolve(specifier);
      return url.startsWith("file:") && !statSync(fileURLToPath(url), { throwIfNoEntry: false })?.isFile();
    } catch {
      return true;
    }
  });
  if (unresolved.length > 0) throw new Error(`The compiled server imports what Node cannot resolve: ${unresolved.join(", ")}`);
  return [...specifiers];
}

/** Compiles the entry points to `outDir` (dist/server); returns the packages the result imports. */
export async function buildServer(outDir = serverOutDir) {
  await rm(outDir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: serverEntryPoints,
    outdir: outDir,
    bundle: true,
    // Shared lib/ code lands in chunks once, not copied into each entry point.
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    plugins: [nextSubpaths],
    metafile: true,
    logLevel: "warning",
  });
  return assertResolvable(result.metafile);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildServer();
  console.log(`[toolgate] Server compiled to ${path.relative(root, serverOutDir)}.`);
}
