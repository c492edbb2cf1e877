# The pipeline worker image: `docker compose up` runs it as `mlpipe worker` against TEMPORAL_ADDRESS.
# Build stage compiles TypeScript; the runtime stage carries only production dependencies.
FROM node:20.20.2-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# onnxruntime-node (a dev dependency, pruned below) ships its CPU binaries; skip its CUDA download.
RUN ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20.20.2-bookworm-slim
# Fonts for the PNG plots in run reports.
RUN apt-get update \
  && apt-get install -y --no-install-recommends fonts-dejavu-core \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY config ./config
ARG GIT_COMMIT=unknown
ENV MLPIPE_GIT_COMMIT=${GIT_COMMIT}
RUN mkdir -p /app/.mlpipe && chown node:node /app/.mlpipe
USER node
ENTRYPOINT ["node", "bin/mlpipe"]
CMD ["worker"]
