// `npm run db:migrate`: applies pending migrations to DATABASE_URL (stands in for `prisma migrate deploy`).
import { env } from "@/lib/config/env";
import { migrate } from "@/lib/db/migrate";

const url = env("DATABASE_URL");
if (!url) {
  console.error("Set DATABASE_URL to the database to migrate.");
  process.exit(1);
}
migrate(url)
  .then((applied) => console.log(applied.length ? `Applied: ${applied.join(", ")}` : "Up to date."))
  .catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });
