# syntax=docker/dockerfile:1
# TestIT API on Node 20 (Debian bookworm slim): the compiled server, bubblewrap and Debian's
# /usr/bin/python3 for the grading sandbox, data on the volume /data. See README "Container".

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY dev ./dev
COPY src ./src
COPY drizzle ./drizzle
# The bundle (dist/node/node.js), then the packages it runs with, without the development ones.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
# bubblewrap and python3 for the bwrap sandbox; setpriv, prlimit and unshare come with util-linux.
RUN apt-get update \
  && apt-get install -y --no-install-recommends bubblewrap python3 \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Read at run time beside the bundle: the grading harnesses and the migrations (README "Quick start").
COPY --from=build /app/src ./src
COPY --from=build /app/drizzle ./drizzle
# npm run seed (-- --demo), run through tsx.
COPY --from=build /app/dev ./dev
COPY bench/seed.ts ./bench/seed.ts
RUN mkdir /data && chown node:node /data
VOLUME /data
# Grading is left to remote runners (compose.yaml's "runner"): the sandbox needs privileges that
# the API's container should not have. JWT_SECRET must be given (production refuses to start
# without it).
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATABASE_URL=file:/data/testit.db \
    GRADING_CONCURRENCY=0
USER node
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--enable-source-maps", "dist/node/node.js"]
