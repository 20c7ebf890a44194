// Test HTTP servers listen on loopback only, on a free port unless a test needs a given one.
import type http from "node:http";
import type { AddressInfo } from "node:net";

/** Starts the server on 127.0.0.1 and returns its origin, e.g. http://127.0.0.1:43121. */
export async function listenOnLoopback(server: http.Server, requestedPort = 0): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(requestedPort, "127.0.0.1", resolve);
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // Keep-alive connections from clients would otherwise hold close() open.
    server.closeAllConnections();
  });
}
