import { afterEach, describe, expect, it } from "vitest";
import { claimsJobs, startBackgroundDuties, stopBackgroundJobs } from "./background";

// Under `npm start` two processes start the background duties: the front server, whose event loop is the
// gateway's, and the Next.js child it spawns. Only one claims periodic jobs (one ticker per replica, decision
// 040): Next.js, unless the operator turned jobs off for the replica.
describe("background duties", () => {
  afterEach(async () => {
    await stopBackgroundJobs();
    delete process.env.TOOLGATE_JOBS;
  });

  it("start no job scheduler where the caller says so, as the front server does", async () => {
    await startBackgroundDuties({ claimJobs: false });
    expect(claimsJobs()).toBe(false);
  });

  it("start no job scheduler in a process told TOOLGATE_JOBS=off", async () => {
    process.env.TOOLGATE_JOBS = "off";
    await startBackgroundDuties();
    expect(claimsJobs()).toBe(false);
  });

  it("start the scheduler otherwise", async () => {
    await startBackgroundDuties();
    expect(claimsJobs()).toBe(true);
  });
});
