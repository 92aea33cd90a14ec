# syntax=docker/dockerfile:1
# Connector Concierge production image.
#   docker build -t connector-concierge .
#   docker run -p 3978:3978 -e HOST=0.0.0.0 -e MicrosoftAppId=… -e MicrosoftAppPassword=… connector-concierge
# Stages: toolchain (python3, make, g++) → build (dev dependencies, tsc) and prod-deps (npm ci --omit=dev) → run (only those two outputs).

# Node 22 LTS: Node 20 reached end of life on 2026-04-30 (package.json still allows >=20 for development).
ARG NODE_IMAGE=node:22-bookworm-slim

# better-sqlite3 compiles from source when no prebuilt binary matches the platform.
FROM ${NODE_IMAGE} AS toolchain
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# .npmrc carries yes=true: botbuilder-dialogs' postinstall runs `npx rimraf`, which must not prompt.
COPY package.json package-lock.json .npmrc ./

FROM toolchain AS build
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

FROM toolchain AS prod-deps
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS run
ENV NODE_ENV=production \
    PORT=3978 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# The embedded store and the secrets key file live in DATA_DIR: a volume, owned by the runtime user.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 3978
# HOST is not set here on purpose: the bot binds to loopback unless told otherwise, and refuses a
# non-loopback HOST without MicrosoftAppId. Give HOST=0.0.0.0 together with the credentials.
# /healthz answers 503 while the store is unreachable: "unhealthy" then means "cannot serve".
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3978)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--disable-warning=DEP0111", "dist/src/index.js"]
