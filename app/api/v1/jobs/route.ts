import { apiRoute } from "@/lib/api/route";
import { listJobs } from "@/lib/runtime/jobs";

export const dynamic = "force-dynamic";

// The cluster's periodic jobs (decision 040): administrators only.
export const GET = apiRoute(async () => ({ jobs: await listJobs() }), { permission: "jobs.view" });
