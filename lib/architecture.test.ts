import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

// lib/ modules import one another without cycles: every module can be read, and loaded, before the
// modules that use it. Type-only imports are left out (they vanish at run time).
const root = resolve(__dirname, "..");
const importPattern = /^(?:import|export)\s+(?!type\s)(?:[^;]*?\sfrom\s+)?["']([^"']+)["']/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "generated" ? [] : sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

function importGraph(files: string[]): Map<string, string[]> {
  const known = new Set(files);
  const target = (from: string, specifier: string) => {
    const base = specifier.startsWith("@/") ? join(root, specifier.slice(2)) : specifier.startsWith(".") ? resolve(from, "..", specifier) : undefined;
    return base && [`${base}.ts`, `${base}.tsx`, join(base, "index.ts")].find((path) => known.has(path));
  };
  return new Map(files.map((file) => [file, [...readFileSync(file, "utf8").matchAll(importPattern)].flatMap((match) => target(file, match[1] ?? "") ?? [])]));
}

function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === "done") return;
    if (state.get(file) === "open") return void found.push([...path.slice(path.indexOf(file)), file]);
    state.set(file, "open");
    for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
    state.set(file, "done");
  };
  for (const file of graph.keys()) visit(file, []);
  return found.map((cycle) => cycle.map((file) => relative(root, file)));
}

const graph = importGraph(sourceFiles(join(root, "lib")));

/** Every run-time import from a module under `from` of a module under one of `to`, as "importer -> imported". */
function importsBetween(from: string, to: string[]): string[] {
  return [...graph].flatMap(([file, targets]) =>
    relative(root, file).startsWith(from) ? targets.map((target) => relative(root, target)).filter((target) => to.some((prefix) => target.startsWith(prefix))).map((target) => `${relative(root, file)} -> ${target}`) : [],
  );
}

/** The top-level folders of lib/ that import each other at run time, as "a <-> b". */
function twoWayFolders(): string[] {
  const folderOf = (file: string) => relative(join(root, "lib"), file).split("/")[0] ?? "";
  const edges = new Set([...graph].flatMap(([file, targets]) => targets.map((target) => `${folderOf(file)} -> ${folderOf(target)}`)));
  return [...edges].flatMap((edge) => {
    const [from, to] = edge.split(" -> ");
    return from && to && from < to && edges.has(`${to} -> ${from}`) ? [`${from} <-> ${to}`] : [];
  });
}

describe("lib/ architecture", () => {
  it("has no import cycles", () => {
    expect(cycles(graph)).toEqual([]);
  });

  // The directions lib/runtime/gateway-wiring.ts keeps (docs/decisions/020-explicit-wiring.md).
  it("keeps metrics from importing the gateway, which imports metrics", () => {
    expect(importsBetween("lib/observability/", ["lib/gateway/"])).toEqual([]);
  });

  it("keeps the gateway off the catalog's write modules", () => {
    expect(importsBetween("lib/gateway/", ["lib/catalog/versions", "lib/catalog/register", "lib/catalog/edit"])).toEqual([]);
  });

  // The audit recorder (lib/audit) sits below access checks, which record refusals through it; the
  // people's operations on the trail (search, export, verify) check access, so they live above both, in
  // lib/audit-trail.
  it("keeps the audit recorder from importing access checks, which record through it", () => {
    expect(importsBetween("lib/audit/", ["lib/auth/"])).toEqual([]);
  });

  // Folders that still import each other; the list may only shrink; a new pair fails here.
  it("adds no two-way dependency between lib/ folders", () => {
    expect(twoWayFolders().sort()).toEqual(["agents <-> certification", "api <-> registry", "auth <-> teams", "auth <-> users", "db <-> runtime", "gateway <-> runtime", "observability <-> runtime"]);
  });
});
