// The production server that `npm start` runs: the front server, with Next.js behind it on a loopback
// port (lib/runtime/app-server.ts).
import { freePort } from "@/lib/net/free-port";
import { startAppServer } from "@/lib/runtime/app-server";
import { readEnv } from "@/lib/config/env";

const settings = readEnv();
const nextPort = settings.TOOLGATE_NEXT_PORT ?? (await freePort());
await startAppServer({ port: settings.PORT, host: settings.HOST, nextPort });
console.log(`[toolgate] Ready on http://${settings.HOST}:${settings.PORT}`);
