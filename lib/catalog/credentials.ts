import { decryptSecret } from "@/lib/crypto/secret-box";

// A read helper on its own, so that the gateway reads a server's credential without importing the
// catalog's write module (./versions.ts).

/** The server-side credential stored for a server, decrypted, as the header to send it in. */
export function storedHeaders(server: { credentialHeader: string | null; credentialCiphertext: string | null }) {
  if (!server.credentialHeader || !server.credentialCiphertext) return undefined;
  return { [server.credentialHeader]: decryptSecret(server.credentialCiphertext) };
}
