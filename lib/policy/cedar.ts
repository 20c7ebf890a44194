import { setFlagsFromString } from "node:v8";
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";

// cedar-wasm for the rest of lib/policy, with one V8 flag set first. Node 20's V8 aborts the whole
// process ("Fatal error: unreachable code" in Deoptimizer::DoComputeBuiltinContinuation) when a function
// into which TurboFan inlined a JS-to-WebAssembly call is deoptimised lazily: a replay's tight loop of
// decisions crashed 5 runs in 6, and a gateway deciding on cache misses could meet it too. Without that
// inlining, 5 runs in 5 passed and a decision costs the same (docs/decisions/028). Set at import, before
// any decision is compiled; the flag only stops an optimisation, so setting it late is safe.
setFlagsFromString("--no-turbo-inline-js-wasm-calls");

export { cedar };
