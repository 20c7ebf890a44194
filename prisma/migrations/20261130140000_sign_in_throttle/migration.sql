-- Failed sign-ins counted per account and per client address (rate-limiter-flexible's Prisma store), so
-- every instance over this database throttles the same attempts and a restart forgets nothing.
CREATE TABLE "sign_in_throttle" (
  "key" TEXT NOT NULL,
  "points" INTEGER NOT NULL,
  "expire" TIMESTAMPTZ(3),
  CONSTRAINT "sign_in_throttle_pkey" PRIMARY KEY ("key")
);
CREATE INDEX "sign_in_throttle_expire_idx" ON "sign_in_throttle"("expire");
