import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { env } from "@/lib/config/env";
import { singleton } from "@/lib/runtime/singleton";

/** The name the process-wide client is kept under (lib/runtime/singleton.ts). */
export const prismaSingleton = "prisma";

export type Db = PrismaClient;
/** A transaction client: what functions taking part in a caller's transaction receive. */
export type Tx = Omit<PrismaClient, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

function createClient(): PrismaClient {
  const connectionString = env("DATABASE_URL");
  if (!connectionString) throw new Error("DATABASE_URL is not set: start the app with `npm start`, which provides it.");
  return new PrismaClient({ adapter: new PrismaPg({ connectionString }) });
}

/** The process-wide client, created on first use so tests can choose their database first. */
export function db(): PrismaClient {
  return singleton(prismaSingleton, createClient);
}
