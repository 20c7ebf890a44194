// Outbound safety for URLs that users hand to Toolgate: the server must not become a way to reach
// cloud metadata endpoints, the database or anything else on private networks (SSRF).
import { setMaxListeners } from "node:events";
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { isIP, type LookupFunction } from "node:net";
import { Readable } from "node:stream";
import ipaddr from "ipaddr.js";
import { Agent, type Dispatcher } from "undici";
import { env, type RawEnv } from "@/lib/config/env";
import { DomainError, ValidationError } from "@/lib/errors";
import { singleton } from "@/lib/runtime/singleton";

export interface OutboundPolicy {
  /** Private or special-purpose ranges (CIDR) that may be reached anyway, e.g. "10.0.0.0/8". */
  allow: string[];
}

/** fetch without Request objects as input: their body and headers would have to be copied across fetch implementations. */
export type OutboundFetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

export interface OutboundLimits {
  maxResponseBytes: number;
  timeoutMs: number;
}

/** A fetch that failed for a reason the remote server's owner can act on: too slow, too large, redirected. */
export class OutboundResponseError extends DomainError {
  override readonly status = 502;
}

/** The loopback ranges, which the word "loopback" stands for wherever a rule is written. */
export const loopbackRanges: readonly string[] = ["127.0.0.0/8", "::1/128"];
const ALLOW_HINT = "An administrator can allow private ranges under Admin → Outbound connections.";

/** Whether a listen address (HOST) reaches only this machine: a loopback address or "localhost". */
export function isLoopbackHost(host: string): boolean {
  const bare = host.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (bare === "localhost") return true;
  return ipaddr.isValid(bare) && ipaddr.process(bare).range() === "loopback";
}

/** The rule in force when neither TOOLGATE_OUTBOUND_ALLOW nor an administrator set one, and why. */
export interface DefaultOutboundRule {
  allow: string[];
  why: string;
}

/**
 * Outside production, loopback. In production, loopback while Toolgate itself listens on loopback only
 * (HOST, 127.0.0.1 unless set): a local trial, where the servers being tried run on the same machine and
 * nobody else can reach Toolgate to aim it at them. Listening on a network, nothing private.
 */
export function defaultOutboundRule(raw?: RawEnv): DefaultOutboundRule {
  const host = env("HOST", raw);
  if (env("NODE_ENV", raw) !== "production") return { allow: [...loopbackRanges], why: "Toolgate runs in development mode" };
  if (isLoopbackHost(host)) return { allow: [...loopbackRanges], why: `Toolgate listens on ${host} only (HOST), so only this machine can reach it` };
  return { allow: [], why: `Toolgate listens on ${host} (HOST), which other machines can reach` };
}

/** TOOLGATE_OUTBOUND_ALLOW (lib/config/env.ts) when set, else the default rule (defaultOutboundRule). */
export function outboundPolicyFromEnv(raw?: RawEnv): OutboundPolicy {
  const allow = env("TOOLGATE_OUTBOUND_ALLOW", raw);
  if (allow === undefined) return { allow: defaultOutboundRule(raw).allow };
  return { allow: [...allow] };
}

// The policy the process checks against, changed in place when an administrator changes the rule
// (lib/settings/outbound.ts): holders of the object, such as the gateway's backend pool, see each change.
// Until the first change it holds the environment's rule.
const live = () =>
  singleton("liveOutboundPolicy", () => {
    let allow: readonly string[] = outboundPolicyFromEnv().allow;
    const policy: OutboundPolicy = {
      get allow() {
        return allow as string[];
      },
    };
    return { policy, set: (next: readonly string[]) => void (allow = [...next]) };
  });

/** The process's policy, which follows every change to the rule in force; see applyOutboundAllow. */
export function liveOutboundPolicy(): OutboundPolicy {
  return live().policy;
}

/** Makes `allow` the rule liveOutboundPolicy checks against, from the next check on. */
export function applyOutboundAllow(allow: readonly string[]): void {
  live().set(allow);
}

/** Checks a user-supplied URL, including every address its host resolves to, and returns it parsed. */
export async function assertOutboundUrl(raw: string, policy: OutboundPolicy): Promise<URL> {
  const url = parseOutboundUrl(raw);
  const host = bareHost(url);
  if (isIP(host)) {
    assertAddressAllowed(displayUrl(url), host, policy, "points at");
  } else {
    for (const { address } of await resolveHost(host)) assertAddressAllowed(displayUrl(url), address, policy, "resolves to");
  }
  return url;
}

function parseOutboundUrl(raw: string): URL {
  if (!URL.canParse(raw)) throw new ValidationError(`"${raw.slice(0, 200)}" is not a valid absolute URL.`);
  const url = new URL(raw);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ValidationError(`Only http and https URLs are supported, not ${url.protocol}.`);
  }
  if (url.username || url.password) {
    throw new ValidationError("URLs with a username or password are not accepted; send credentials as headers instead.");
  }
  return url;
}

/** The URL without query or fragment, which may carry secrets that do not belong in error messages. */
export function displayUrl(url: URL): string {
  return url.origin + url.pathname;
}

function bareHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, "$1");
}

async function resolveHost(host: string): Promise<LookupAddress[]> {
  try {
    return await new Promise((resolve, reject) => {
      dnsLookup(host, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses)));
    });
  } catch {
    throw new ValidationError(`Cannot resolve host ${host}.`);
  }
}

function assertAddressAllowed(subject: string, address: string, policy: OutboundPolicy, verb: string) {
  // process() turns IPv4-mapped IPv6 (::ffff:a.b.c.d) into the IPv4 address it reaches.
  const parsed = ipaddr.process(address);
  const kind = nonPublicKind(parsed);
  if (kind === undefined || isAllowed(parsed, policy)) return;
  throw new ValidationError(`${subject} ${verb} ${kind} (${parsed.toString()}), which Toolgate does not connect to. ${ALLOW_HINT}`);
}

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR("2000::/3");

/** How to name an address that is not public unicast, or undefined for a public one. */
function nonPublicKind(address: ipaddr.IPv4 | ipaddr.IPv6): string | undefined {
  const range = address.range();
  if (range !== "unicast") return RANGE_NAMES[range] ?? `a special-purpose address (${range})`;
  // ipaddr.js calls anything it has no name for unicast, including IPv4-compatible ::a.b.c.d.
  if (address.kind() === "ipv6" && !address.match(GLOBAL_UNICAST_V6)) return "a reserved IPv6 address";
  return undefined;
}

// Parsed once per list: the gateway checks the backend's address on every call. Keyed by the list rather
// than the policy, so a live policy whose list is replaced is parsed again, once.
const parsedRanges = new WeakMap<readonly string[], [ipaddr.IPv4 | ipaddr.IPv6, number][]>();

function isAllowed(address: ipaddr.IPv4 | ipaddr.IPv6, policy: OutboundPolicy): boolean {
  const allow = policy.allow;
  let ranges = parsedRanges.get(allow);
  if (!ranges) parsedRanges.set(allow, (ranges = allow.map((cidr) => ipaddr.parseCIDR(cidr))));
  return ranges.some((range) => range[0].kind() === address.kind() && address.match(range));
}

const RANGE_NAMES: Record<string, string> = {
  linkLocal: "a link-local address",
  loopback: "a loopback address",
  private: "a private address",
  uniqueLocal: "a unique local address",
  carrierGradeNat: "a carrier-grade NAT address",
  multicast: "a multicast address",
  broadcast: "a broadcast address",
  unspecified: "an unspecified address",
};

/**
 * A fetch for user-supplied URLs. Host names are checked when each connection is made rather than
 * beforehand, so a DNS answer that changes between check and connect (DNS rebinding) cannot slip through.
 * It speaks through undici's request API rather than its fetch: the gateway makes one of these per
 * forwarded call, and fetch's Request and stream machinery cost more than the exchange itself.
 */
export function guardedFetch(policy: OutboundPolicy, limits: OutboundLimits): OutboundFetch {
  const dispatcher = new Agent({ connect: { lookup: policyLookup(policy) } });
  return async (input, init) => {
    const url = parseOutboundUrl(String(input));
    const host = bareHost(url);
    // IP literals never reach the DNS lookup, so they are checked here.
    if (isIP(host)) assertAddressAllowed(displayUrl(url), host, policy, "points at");
    const exchange = deadline(limits.timeoutMs, init?.signal);
    const explain = (error: unknown) => explainFailure(error, url, exchange.timedOut(), limits);
    const answer = await dispatcher
      .request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: (init?.method ?? "GET") as Dispatcher.HttpMethod,
        headers: headerPairs(init?.headers),
        body: requestBody(init?.body),
        signal: exchange.signal,
      })
      .catch((error: unknown) => {
        exchange.done();
        throw explain(asFetchFailure(error, exchange.signal));
      });
    return limitResponse(answer, url, limits, explain, exchange.done);
  };
}

export interface GuardedPost {
  headers: Record<string, string>;
  body: string;
  /** Waiting for the answer's headers, and between two pieces of its body. */
  timeoutMs: number;
  signal?: AbortSignal;
}

export type GuardedRequest = (url: URL, post: GuardedPost) => Promise<Dispatcher.ResponseData>;

/**
 * A POST for the gateway's hot path, checked like guardedFetch (addresses when each connection is made,
 * IP literals here) but without its Response wrapper, AbortController and timer per exchange: undici's
 * own timeouts (on shared, coarse timers) bound the wait, and the caller reads the body. Failures come
 * as guardedFetch's do: the abort's reason, a refusal of the policy, or "fetch failed" with the cause.
 */
export function guardedRequest(policy: OutboundPolicy): GuardedRequest {
  const dispatcher = new Agent({ connect: { lookup: policyLookup(policy) } });
  return async (url, { headers, body, timeoutMs, signal }) => {
    const host = bareHost(url);
    if (isIP(host)) assertAddressAllowed(displayUrl(url), host, policy, "points at");
    try {
      return await dispatcher.request({ origin: url.origin, path: url.pathname + url.search, method: "POST", headers, body, signal, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (error instanceof DomainError) throw error;
      throw new TypeError("fetch failed", { cause: error });
    }
  };
}

function headerPairs(headers: HeadersInit | undefined): Record<string, string> {
  if (!headers) return {};
  if (headers instanceof Headers) return Object.fromEntries(headers);
  return Array.isArray(headers) ? Object.fromEntries(headers) : headers;
}

function requestBody(body: BodyInit | null | undefined): string | Uint8Array | undefined {
  if (body === null || body === undefined) return undefined;
  if (typeof body === "string" || body instanceof Uint8Array) return body;
  throw new TypeError("guardedFetch sends text or bytes only.");
}

/** What fetch would reject with: the abort's reason, or "fetch failed" with the real failure as its cause. */
function asFetchFailure(error: unknown, signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason;
  if (error instanceof DomainError) return error;
  return new TypeError("fetch failed", { cause: error });
}

/**
 * An abort signal for one exchange: fires when the caller's signal does or when the time is up. The
 * timer and the listener on the caller's (often long-lived, per-session) signal are released as soon
 * as the exchange ends, so a busy connection does not pile up timers and listeners.
 */
function deadline(ms: number, outer?: AbortSignal | null) {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error("timeout"));
  }, ms);
  const forward = () => controller.abort(outer?.reason);
  if (outer?.aborted) forward();
  else if (outer) {
    // A pooled session's signal carries one listener per call in flight, each removed when it ends.
    setMaxListeners(0, outer);
    outer.addEventListener("abort", forward, { once: true });
  }
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    done: () => {
      clearTimeout(timer);
      outer?.removeEventListener("abort", forward);
    },
  };
}

function policyLookup(policy: OutboundPolicy): LookupFunction {
  return (hostname, options, callback) => {
    resolveHost(hostname)
      .then((addresses) => {
        for (const { address } of addresses) assertAddressAllowed(hostname, address, policy, "resolves to");
        // Node asks for every address when it races IPv4 against IPv6 (autoSelectFamily), else for one.
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      })
      .catch((error: NodeJS.ErrnoException) => callback(error, ""));
  };
}

function explainFailure(error: unknown, url: URL, timedOut: boolean, limits: OutboundLimits): unknown {
  if (timedOut) {
    return new OutboundResponseError(`${displayUrl(url)} did not answer within ${limits.timeoutMs / 1000} s.`);
  }
  // A refused address (the policy's lookup) may come wrapped as "fetch failed" or on its own.
  if (error instanceof TypeError && error.cause instanceof DomainError) return error.cause;
  return error;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

function responseHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}

async function limitResponse(answer: Dispatcher.ResponseData, url: URL, limits: OutboundLimits, explain: (error: unknown) => unknown, done: () => void): Promise<Response> {
  const { statusCode, body } = answer;
  const headers = responseHeaders(answer.headers);
  if (REDIRECT_STATUSES.has(statusCode)) {
    done();
    discard(body);
    throw new OutboundResponseError(
      `${displayUrl(url)} redirects elsewhere (HTTP ${statusCode}); Toolgate does not follow redirects. Use the final address instead.`,
    );
  }
  const tooLarge = () => new OutboundResponseError(`The server's response exceeded the ${formatBytes(limits.maxResponseBytes)} limit.`);
  if (Number(headers.get("content-length")) > limits.maxResponseBytes) {
    done();
    discard(body);
    throw tooLarge();
  }
  const init = { status: statusCode, headers };
  if (NULL_BODY_STATUSES.has(statusCode)) {
    done();
    discard(body);
    return new Response(null, init);
  }
  // An event stream may stay open for as long as the session; anything else is read whole, which is cheaper.
  if (/^text\/event-stream/i.test(headers.get("content-type") ?? "")) {
    const stream = Readable.toWeb(body) as ReadableStream<Uint8Array>;
    return new Response(limitStream(stream, limits.maxResponseBytes, tooLarge, explain, done), init);
  }
  return new Response(await readWhole(body, limits.maxResponseBytes, tooLarge, explain).finally(done), init);
}

/** Closes the connection of an unread response; a body that already failed has nothing left to close. */
function discard(body: Dispatcher.ResponseData["body"]) {
  body.dump().catch(() => {});
}

async function readWhole(body: Dispatcher.ResponseData["body"], maxBytes: number, tooLarge: () => Error, explain: (error: unknown) => unknown): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Buffer[] = [];
  let received = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      received += chunk.byteLength;
      if (received > maxBytes) {
        body.destroy();
        throw tooLarge();
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof OutboundResponseError) throw error;
    throw explain(new TypeError("terminated", { cause: error }));
  }
  return Buffer.concat(chunks, received) as Uint8Array<ArrayBuffer>;
}

function limitStream(
  source: ReadableStream<Uint8Array>,
  maxBytes: number,
  tooLarge: () => Error,
  explain: (error: unknown) => unknown,
  done: () => void,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let received = 0;
  return new ReadableStream({
    async pull(controller) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        done();
        return controller.error(explain(error));
      }
      if (chunk.done) {
        done();
        return controller.close();
      }
      received += chunk.value.byteLength;
      if (received <= maxBytes) return controller.enqueue(chunk.value);
      done();
      controller.error(tooLarge());
      reader.cancel().catch(() => {});
    },
    cancel: (reason) => {
      done();
      return reader.cancel(reason);
    },
  });
}

export function formatBytes(bytes: number): string {
  const units: [number, string][] = [
    [1024 * 1024, "MB"],
    [1024, "KB"],
  ];
  for (const [size, unit] of units) if (bytes >= size) return `${Number((bytes / size).toFixed(1))} ${unit}`;
  return `${bytes} bytes`;
}
