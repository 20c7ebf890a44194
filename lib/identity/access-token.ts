import { decodeJwt, decodeProtectedHeader, errors, jwtVerify } from "jose";
import type { OnBehalfOf } from "@/lib/agents/keys";
import { type Scope, scopesOf } from "@/lib/agents/scopes";
import { issuerKeys } from "./jwks";
import { delegationOf, onBehalfOfUser } from "./on-behalf-of";
import { trustedIssuer } from "./trusted";

// A bearer value that is a JWT is an access token from an authorization server (issue #17). It is
// accepted only when, in this order: it is small enough to parse, it is a JWS with an asymmetric
// algorithm, its `iss` is a registered enabled issuer, its signature verifies with a key of that
// issuer's JWKS, its `aud` contains Toolgate's resource URL (RFC 8707: a token meant for another
// resource is never honoured here, A1), and it is within exp/nbf give or take clockToleranceSeconds.
// Each refusal has one precise reason; the token itself is never logged or echoed.

export const maxTokenBytes = 8 * 1024;
export const clockToleranceSeconds = 30;
/** Asymmetric only: `none` and the HS* family (a shared secret anyone holding the JWKS could guess at) are refused. */
export const acceptedAlgorithms = ["RS256", "PS256", "ES256", "EdDSA"];
const acceptedTypes = new Set(["at+jwt", "application/at+jwt", "jwt"]);

const jwtShape = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export type TokenFailureReason =
  | "too_large"
  | "malformed"
  | "unsupported_algorithm"
  | "unknown_issuer"
  | "unknown_key"
  | "bad_signature"
  | "wrong_audience"
  | "expired"
  | "not_yet_valid"
  | "keys_unavailable";

export interface VerifiedToken {
  issuerId: string;
  issuer: string;
  /** The OAuth client the token was issued to (`client_id`, else `azp`), if it says. */
  clientId: string | null;
  sub: string | null;
  scopes: Scope[];
  /** With an `act` claim (RFC 8693): the acting agent's subject (act.sub); `sub` is then the user. */
  actor: string | null;
  /** The user the token acts for, when it is delegated. */
  onBehalfOf: OnBehalfOf | null;
  /** Seconds since the epoch. */
  exp: number;
}

export type TokenVerification = { ok: true; token: VerifiedToken } | { ok: false; reason: TokenFailureReason; description: string };

/** Whether a bearer value is shaped like a JWT (three base64url parts) rather than an API key. */
export function looksLikeJwt(bearer: string): boolean {
  return bearer.length > maxTokenBytes || jwtShape.test(bearer);
}

/**
 * The name of a query parameter that carries a credential — named as one, or holding an API key or a
 * JWT — or undefined. Tokens in URLs (RFC 6750 §2.3) end up in logs and histories: they are refused.
 */
export function credentialInQuery(url: string): string | undefined {
  if (!url.includes("?")) return undefined;
  for (const [name, value] of new URL(url).searchParams) {
    if (name === "access_token" || name === "api_key" || value.startsWith("tgk_") || (value.length > 20 && jwtShape.test(value))) return name;
  }
  return undefined;
}

const fail = (reason: TokenFailureReason, description: string): TokenVerification => ({ ok: false, reason, description });

/** Verifies an access token for `resource` (the gateway's public /mcp URL). */
export async function verifyAccessToken(bearer: string, resource: string): Promise<TokenVerification> {
  if (bearer.length > maxTokenBytes) return fail("too_large", `The access token is longer than ${maxTokenBytes} bytes.`);
  if (!jwtShape.test(bearer)) return fail("malformed", "The access token is not a JWT.");
  let alg: unknown;
  let typ: unknown;
  let iss: unknown;
  try {
    ({ alg, typ } = decodeProtectedHeader(bearer));
    ({ iss } = decodeJwt(bearer));
  } catch {
    return fail("malformed", "The access token's header or claims are not valid JSON.");
  }
  if (typeof alg !== "string" || !acceptedAlgorithms.includes(alg)) {
    return fail("unsupported_algorithm", `The access token is signed with ${typeof alg === "string" ? alg.slice(0, 20) : "no algorithm"}; accepted: ${acceptedAlgorithms.join(", ")}.`);
  }
  if (typ !== undefined && (typeof typ !== "string" || !acceptedTypes.has(typ.toLowerCase()))) {
    return fail("malformed", 'The access token\'s typ is neither "at+jwt" nor "JWT".');
  }
  if (typeof iss !== "string") return fail("malformed", "The access token has no issuer (iss).");
  const issuer = await trustedIssuer(iss);
  if (!issuer) return fail("unknown_issuer", "The access token's issuer is not trusted by this Toolgate.");
  try {
    const { payload } = await jwtVerify(bearer, issuerKeys(issuer), {
      issuer: issuer.issuer,
      audience: resource,
      algorithms: acceptedAlgorithms,
      clockTolerance: clockToleranceSeconds,
      requiredClaims: ["exp"],
    });
    const clientId = typeof payload.client_id === "string" ? payload.client_id : typeof payload.azp === "string" ? payload.azp : null;
    const delegation = delegationOf(payload);
    if (!delegation.ok) return fail("malformed", delegation.description);
    const onBehalfOf = delegation.actor === null ? null : onBehalfOfUser(issuer.issuer, payload);
    const sub = typeof payload.sub === "string" ? payload.sub : null;
    return { ok: true, token: { issuerId: issuer.id, issuer: issuer.issuer, clientId, sub, scopes: scopesOf(payload.scope), actor: delegation.actor, onBehalfOf, exp: payload.exp! } };
  } catch (error) {
    return failureOf(error, resource);
  }
}

function failureOf(error: unknown, resource: string): TokenVerification {
  if (error instanceof errors.JWTExpired) return fail("expired", "The access token has expired.");
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "aud") return fail("wrong_audience", `The access token is not meant for this resource: its audience must include ${resource}.`);
    if (error.claim === "nbf" || error.claim === "iat") return fail("not_yet_valid", "The access token is not valid yet.");
    return fail("malformed", `The access token's ${error.claim.slice(0, 20)} claim is not valid.`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return fail("bad_signature", "The access token's signature does not verify.");
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return fail("unknown_key", "The access token is signed with a key its issuer does not publish.");
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return fail("unsupported_algorithm", "The access token's algorithm is not accepted.");
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || !(error instanceof errors.JOSEError)) {
    console.error("[toolgate] fetching an issuer's keys failed:", error instanceof Error ? error.message : error);
    return fail("keys_unavailable", "The issuer's signing keys could not be fetched; retry shortly.");
  }
  return fail("malformed", "The access token is not a valid JWS.");
}
