// Text that people or agents send can carry characters that break storage or mislead readers: NUL and
// other C0/C1 controls (PostgreSQL refuses NUL in text and jsonb), bidirectional overrides that make a
// name read differently from what it is ("evil‮txt.exe"), and lone UTF-16 surrogates (not valid
// Unicode, refused by jsonb). One definition serves every edge: inputs refuse them, records replace them.
import { z } from "zod";

const controls = "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f";
const bidiControls = "\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069";
const loneSurrogates = "[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]";

/** Controls other than tab, line feed and carriage return; bidi controls; lone surrogates. */
const unsafeInText = new RegExp(`[${controls}${bidiControls}]|${loneSurrogates}`);
/** The same, and also tab, line feed and carriage return: for names, which are one line. */
const unsafeInName = new RegExp(`[\\t\\n\\r${controls}${bidiControls}]|${loneSurrogates}`);

const loneSurrogate = new RegExp(loneSurrogates);

/** True when the text is not valid Unicode: canonical JSON (RFC 8785) and jsonb refuse such text. */
export function hasLoneSurrogate(text: string): boolean {
  return loneSurrogate.test(text);
}

export function hasUnsafeCharacters(text: string, { singleLine = false } = {}): boolean {
  return (singleLine ? unsafeInName : unsafeInText).test(text);
}

/** Replaces every unsafe character with U+FFFD, so a record keeps the text's shape without its harm. */
export function replaceUnsafeCharacters(text: string): string {
  return text.replace(new RegExp(unsafeInText.source, "g"), "\uFFFD");
}

/** Replaces unsafe characters in every string of a JSON-like value, keys included. */
export function replaceUnsafeInJson(value: unknown): unknown {
  if (typeof value === "string") return replaceUnsafeCharacters(value);
  if (Array.isArray(value)) return value.map(replaceUnsafeInJson);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [replaceUnsafeCharacters(key), replaceUnsafeInJson(item)]));
  }
  return value;
}

/** A zod string for a one-line name people will read: no controls, no bidi overrides. */
export function safeName(label: string) {
  return z.string().refine((text) => !hasUnsafeCharacters(text, { singleLine: true }), `${label} must not contain control or bidirectional-override characters.`);
}

/** A zod string for free text people will read (reasons, descriptions): line breaks allowed. */
export function safeText(label: string) {
  return z.string().refine((text) => !hasUnsafeCharacters(text), `${label} must not contain control or bidirectional-override characters.`);
}
