// Process-wide values, kept on globalThis by name: Next.js may load a module more than once in one
// process (route handlers, instrumentation, the front server), and every copy must share one pool,
// one cache, one counter. After epic-stack's app/utils/singleton.server.ts.

const store = ((globalThis as unknown as { toolgateSingletons?: Map<string, unknown> }).toolgateSingletons ??= new Map());

/** The value kept under `name`, created by `create` on first use. */
export function singleton<Value>(name: string, create: () => Value): Value {
  if (store.has(name)) return store.get(name) as Value;
  const value = create();
  store.set(name, value);
  return value;
}

/** The value kept under `name` if something created it, without creating it. */
export function existingSingleton<Value>(name: string): Value | undefined {
  return store.get(name) as Value | undefined;
}

/** Forgets the value kept under `name`, so the next use creates it again (tests that close it). */
export function forgetSingleton(name: string): void {
  store.delete(name);
}
