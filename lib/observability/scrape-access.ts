import { createHash, timingSafeEqual } from "node:crypto";
import { env, type RawEnv } from "@/lib/config/env";
import { UnauthenticatedError } from "@/lib/errors";

// Prometheus does not sign in. With TOOLGATE_METRICS_TOKEN set, a scrape must send it as a bearer
// token; unset (or empty), the metrics are open to whoever reaches the endpoint, which suits a
// deployment where only the internal network does.

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

/** Throws UnauthenticatedError (401) unless the request may read the metrics. */
export function authorizeScrape(authorization: string | null, raw?: RawEnv): void {
  const token = env("TOOLGATE_METRICS_TOKEN", raw);
  if (!token) return;
  const presented = /^Bearer +(.+)$/i.exec(authorization ?? "")?.[1]?.trim();
  if (!presented) throw new UnauthenticatedError("Metrics need the token set in TOOLGATE_METRICS_TOKEN: send it as `Authorization: Bearer <token>`.");
  // Digests are equal in length, so the comparison takes the same time wherever the tokens differ.
  if (!timingSafeEqual(digest(presented), digest(token))) throw new UnauthenticatedError("The bearer token is not the metrics token (TOOLGATE_METRICS_TOKEN).");
}
