import { afterEach, describe, expect, it } from "vitest";
import { nextEnv } from "./app-server";
import { claimsJobs, startBackgroundDuties, stopBackgroundJobs } from "./background";

// Under `npm start` two processes start the background duties: the front server and the Next.js child it
// spawns. Only the front server claims periodic jobs (one ticker per replica, decision 040).
describe("background duties", () => {
  afterEach(async () => {
    await stopBackgroundJobs();
    delete process.env.TOOLGATE_JOBS;
  });

  it("start no job scheduler in a process told TOOLGATE_JOBS=off, as npm start tells its Next.js process", async () => {
    Object.assign(process.env, nextEnv({}));
    await startBackgroundDuties();
    expect(claimsJobs()).toBe(false);
  });

  it("start the scheduler otherwise", async () => {
    await startBackgroundDuties();
    expect(claimsJobs()).toBe(true);
  });

  it("give Next.js the front server's environment with jobs turned off", () => {
    expect(nextEnv({ DATABASE_URL: "postgresql://db/toolgate", TOOLGATE_JOBS: "on" })).toEqual({ DATABASE_URL: "postgresql://db/toolgate", TOOLGATE_JOBS: "off" });
  });
});
