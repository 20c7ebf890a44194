import { can } from "@/lib/auth/authorize";
import { type CurrentUser, forbidPage, requireUser } from "@/lib/auth/session";

/** For the Bundles pages: those who define bundles (administrators, owners) and those who review them; others get the 403 page, audited. */
export async function viewerOfBundles(): Promise<CurrentUser> {
  const user = await requireUser();
  if (!can(user, "bundles.review") && !can(user, "bundles.define")) await forbidPage(user, "bundles.define", { type: "page" }, "missing role");
  return user;
}
