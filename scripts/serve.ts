// The production server that `npm start` runs: the front server, with Next.js behind it on a loopback
// port (lib/runtime/app-server.ts).
import { startAppServer } from "@/lib/runtime/app-server";
import { freePort } from "@/lib/net/free-port";

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "127.0.0.1";
await startAppServer({ port, host, nextPort: Number(process.env.TOOLGATE_NEXT_PORT ?? (await freePort())) });
console.log(`[toolgate] Ready on http://${host}:${port}`);
