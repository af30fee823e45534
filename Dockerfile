# One image for every role (migrate, worker, server); the command picks the role.
FROM node:24-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY src ./src
COPY sql ./sql
USER node
CMD ["node", "src/bin/worker.ts"]
