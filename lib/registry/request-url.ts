import { AsyncLocalStorage } from "node:async_hooks";

// The URL of the registry request being served, for what depends on it below the route (the resource an
// access token must name: lib/registry/viewer.ts). registryRoute (./http.ts) sets it around each handler.

const current = new AsyncLocalStorage<string>();

/** Runs `handle` with `url` as the current registry request's URL. */
export function withRegistryRequestUrl<T>(url: string, handle: () => T): T {
  return current.run(url, handle);
}

/** The current registry request's URL, when inside one. */
export function registryRequestUrl(): string | undefined {
  return current.getStore();
}
