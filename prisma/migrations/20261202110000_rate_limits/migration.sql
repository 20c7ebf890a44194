-- Rate limits and quotas shared by every gateway instance (issue #20; decision 039). rate-limiter-flexible's
-- RateLimiterPostgres keeps one row per limited key ("agent:<id>", "tool:<id>:<tool>", "quota:<id>"): the
-- points consumed in the key's current window and when that window ends (epoch milliseconds). The app runs
-- it with tableCreated: true, so this migration, not the app, creates the table; it is the library's own
-- layout except that the key is text (no 255-character cut-off).
CREATE TABLE "rate_limits" (
  "key" TEXT NOT NULL,
  "points" INTEGER NOT NULL DEFAULT 0,
  "expire" BIGINT,
  CONSTRAINT "rate_limits_pkey" PRIMARY KEY ("key")
);
