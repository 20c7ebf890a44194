import { notFound } from "next/navigation";
import { z } from "zod";
import { getServer, getVersion, type ServerEntry } from "@/lib/catalog/read";
import { approvalToolsSchema } from "@/lib/catalog/schemas";
import { orNotFound } from "@/lib/not-found";
import { queryText } from "@/lib/validation";

// Loading an entry for its pages: an unknown or malformed id is a 404, not an error.

export function loadEntry(id: string) {
  if (!z.uuid().safeParse(id).success) notFound();
  return orNotFound(() => getServer(id));
}

// A version named in the URL (?v=) is a query parameter like any other: text the database cannot
// compare (NUL) names no version.
const versionQuery = queryText("The version", 64);

export function loadVersion(serverId: string, version: string) {
  if (!versionQuery.safeParse(version).success) notFound();
  return orNotFound(() => getVersion(serverId, version));
}

export function approvalToolsOf(server: ServerEntry) {
  return approvalToolsSchema.parse(server.approvalTools);
}
