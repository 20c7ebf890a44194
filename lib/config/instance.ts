import os from "node:os";
import { env } from "@/lib/config/env";

/** This process's name in a cluster: TOOLGATE_INSTANCE_ID, or `${hostname}-${pid}`. */
export function instanceId(): string {
  return env("TOOLGATE_INSTANCE_ID") ?? `${os.hostname()}-${process.pid}`;
}
