# One image for every role; the compose file picks the command (migrate, worker or server).
# The base image is pinned to the Node release of package.json's `node` devDependency (Renovate
# keeps both current; see renovate.json).
FROM node:24.21.0-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY web ./web
# Everything, dev dependencies included: the admin UI is built here (the `prepare` script).
RUN npm ci --no-audit --no-fund

FROM node:24.21.0-bookworm-slim AS runtime-deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# Production dependencies only, without the optional embedded PostgreSQL (about 60 MB of binaries a
# container never uses: it always has DATABASE_URL). --ignore-scripts: nothing here needs to build.
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:24.21.0-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=runtime-deps /app/node_modules ./node_modules
COPY --from=build /app/web/dist ./web/dist
COPY package.json ./
COPY src ./src
COPY sql ./sql
USER node
CMD ["node", "src/bin/worker.ts"]
