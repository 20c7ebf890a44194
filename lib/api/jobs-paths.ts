import { z } from "zod";
import type { ZodOpenApiPathsObject } from "zod-openapi";
import { json, operation } from "./operation";

// The periodic jobs (issue #20, decision 040) in the OpenAPI document: administrators only (jobs.view).

const timestamp = z.iso.datetime();

const jobView = z
  .object({
    name: z.string().describe("The job: retire-sunset-versions, expire-approvals, drift-sweep, idempotency-cleanup, idle-session-cleanup, session-message-cleanup, call-resumption-cleanup, audit-checkpoint, audit-retention"),
    periodMs: z.number().int().describe("How often it runs across the cluster, in milliseconds (TOOLGATE_JOB_PERIOD_MS overrides every job's)."),
    nextRunAt: timestamp.describe("When it is due next (after a failure: the retry, backed off)."),
    runningBy: z.string().nullable().describe("The instance running it now, or null."),
    leaseUntil: timestamp.nullable().describe("Until when that instance holds it; past it another instance runs the job again."),
    lastStartedAt: timestamp.nullable(),
    lastFinishedAt: timestamp.nullable(),
    lastOutcome: z.enum(["succeeded", "failed"]).nullable().describe("Null before the first run."),
    lastError: z.string().nullable().describe("The last failure's message, cleared by a success."),
    consecutiveFailures: z.number().int(),
    failing: z.boolean().describe("Failed 3 or more times in a row."),
    lastInstance: z.string().nullable().describe("The instance of the latest run."),
    lastSummary: z.string().nullable().describe("What the latest finished run found, in a line of at most 500 characters (the drift sweep: \"12 backends: 10 checked, 1 drifted, 2 unreachable: …\"); null when it failed or said nothing."),
  })
  .meta({ id: "Job" });

export const jobList = z.object({ jobs: z.array(jobView) }).meta({ id: "JobList" });

export const jobPaths: ZodOpenApiPathsObject = {
  "/api/v1/jobs": {
    get: operation({
      summary: "The cluster's periodic jobs: period, last run and outcome, error, next run, failures in a row (administrators)",
      tags: ["operations"],
      responses: { "200": json(jobList, "Every job, by name.") },
    }),
  },
};
