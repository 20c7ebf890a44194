import { RE2JS } from "re2js";

// Schema `pattern`s and `patternProperties` come from server owners and run on agent input. As
// JavaScript RegExps a pattern like ^(a+)+$ backtracks for minutes on "aaaa…a!" and blocks the event
// loop; RE2 (re2js, pure JavaScript) matches in time linear in the input. RE2 has no lookarounds or
// backreferences and other small differences, so such patterns are a certification finding and make
// the tool's calls refused (docs/decisions/014-schema-patterns.md).

/** What Ajv needs of a compiled pattern (its RegExpLike), keyed in Ajv's scope by `toString()`. */
export interface LinearPattern {
  test(text: string): boolean;
  toString(): string;
}

export class UnsupportedPatternError extends Error {
  constructor(
    readonly pattern: string,
    readonly problem: string,
  ) {
    super(`pattern ${JSON.stringify(pattern)} cannot be run in linear time (${problem}); the gateway refuses calls it would check`);
  }
}

/**
 * ECMAScript escapes RE2 spells differently: \uXXXX (a surrogate pair becomes one code point),
 * \u{X…} and \0 become \x{…}. Everything else, inside classes too, is the same syntax or refused.
 */
function toRe2Syntax(pattern: string): string {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char !== "\\") {
      out += char;
      continue;
    }
    const rest = pattern.slice(i + 1);
    const braced = /^u\{([0-9a-fA-F]{1,6})\}/.exec(rest);
    const pair = /^u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})/i.exec(rest);
    const single = /^u([0-9a-fA-F]{4})/.exec(rest);
    if (braced) {
      out += `\\x{${braced[1]}}`;
      i += braced[0].length;
    } else if (pair) {
      const codePoint = (parseInt(pair[1]!, 16) - 0xd800) * 0x400 + (parseInt(pair[2]!, 16) - 0xdc00) + 0x10000;
      out += `\\x{${codePoint.toString(16)}}`;
      i += pair[0].length;
    } else if (single) {
      out += `\\x{${single[1]}}`;
      i += single[0].length;
    } else if (rest[0] === "0" && !/^\d/.test(rest.slice(1))) {
      out += "\\x{0}";
      i += 1;
    } else {
      out += char + (rest[0] ?? "");
      i += 1;
    }
  }
  return out;
}

/** Compiles a JSON Schema pattern for linear-time matching; throws UnsupportedPatternError when RE2 cannot. */
export function compileLinearPattern(pattern: string): LinearPattern {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(toRe2Syntax(pattern));
  } catch (error) {
    const detail = (error as Error).message.replace(/^error parsing regexp: /, "");
    throw new UnsupportedPatternError(pattern, `lookarounds, backreferences and some other syntax are not supported: ${detail}`);
  }
  const key = `re2:${pattern}`;
  // JSON Schema patterns are unanchored, like RegExp.prototype.test: RE2JS.test finds a match anywhere.
  return { test: (text) => compiled.test(text), toString: () => key };
}

/** Ajv's `code.regExp` engine (Ajv passes "u" as flags; RE2 always matches by code point). */
export const linearRegExp = Object.assign((pattern: string) => compileLinearPattern(pattern), {
  code: 'require("@/lib/gateway/schema-patterns").linearRegExp',
});

export interface PatternFinding {
  /** Where in the schema, as a JSON Pointer: "/properties/code/pattern". */
  at: string;
  pattern: string;
  problem: string;
}

// Values of these keywords are data, not schemas: a "pattern" inside them is not one.
const dataKeywords = new Set(["enum", "const", "default", "examples", "example"]);

/** Every pattern and patternProperties key in a schema that the gateway cannot run, walked without recursion. */
export function unsupportedPatterns(schema: unknown): PatternFinding[] {
  const findings: PatternFinding[] = [];
  const check = (pattern: string, at: string) => {
    try {
      compileLinearPattern(pattern);
    } catch (error) {
      if (!(error instanceof UnsupportedPatternError)) throw error;
      findings.push({ at, pattern, problem: error.problem });
    }
  };
  const stack: [unknown, string][] = [[schema, ""]];
  while (stack.length) {
    const [node, at] = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    const record = node as Record<string, unknown>;
    if (!Array.isArray(node) && typeof record.pattern === "string") check(record.pattern, `${at}/pattern`);
    const patternProperties = Array.isArray(node) ? undefined : record.patternProperties;
    if (patternProperties && typeof patternProperties === "object") {
      for (const key of Object.keys(patternProperties)) check(key, `${at}/patternProperties/${pointerToken(key)}`);
    }
    for (const [key, child] of Object.entries(record)) {
      if (!Array.isArray(node) && dataKeywords.has(key)) continue;
      stack.push([child, `${at}/${pointerToken(key)}`]);
    }
  }
  return findings;
}

const pointerToken = (key: string) => key.replaceAll("~", "~0").replaceAll("/", "~1");
