# syntax=docker/dockerfile:1
# Build stage: install dependencies (better-sqlite3 compiles here), compile the TypeScript to dist/
# with tsc, then drop the dev tools so the final image has none.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
# `npm ci` runs `prepare` (src/cli/build.mjs), which skips while the sources are not copied yet; this
# keeps the dependency layer cached across source changes.
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src/cli/build.mjs ./src/cli/build.mjs
RUN npm ci --no-audit --no-fund
COPY src ./src
COPY adapters ./adapters
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Runtime stage: non-root, data on a volume. `switchboard` runs the compiled dist/.
FROM node:20-bookworm-slim
ENV NODE_ENV=production DATA_DIR=/data PORT=3000
WORKDIR /app
COPY --from=build /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# The heap cap also lowers V8's heap growth: peak RSS follows the live heap (README, Benchmarks).
CMD ["node", "--max-old-space-size=1024", "src/cli/switchboard.mjs", "serve"]
