# syntax=docker/dockerfile:1
# gatehouse as oauth2-proxy users run it: `docker run -e OAUTH2_PROXY_... <image> [flags]`. The same environment and
# arguments as for the oauth2-proxy image work here; the process listens where --http-address says (as oauth2-proxy,
# set OAUTH2_PROXY_HTTP_ADDRESS=0.0.0.0:4180 to be reachable from outside the container).
# Every RUN works relative to WORKDIR: test/integration/container-image.test.ts runs these steps without a container
# engine.

# Build: compile and bundle dist/ with the development dependencies (tsc, esbuild, tsx).
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are here.
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/bundle.ts scripts/
COPY src src
RUN npm run build

# Runtime: production dependencies only, the built dist/, and no compiler.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /opt/gatehouse
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` builds, which needs the development dependencies; dist/ comes from the build stage.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=build /src/dist dist
COPY bin bin
COPY container/healthcheck.js healthcheck.js
RUN ln -s gatehouse.js bin/gatehouse
ENV PATH=/opt/gatehouse/bin:$PATH
# The numeric user of oauth2-proxy's distroless image (nonroot); numeric so Kubernetes' runAsNonRoot can verify it.
USER 65532:65532
EXPOSE 4180
# GET /ping on the port of OAUTH2_PROXY_HTTP_ADDRESS (default 4180) and OAUTH2_PROXY_PING_PATH (default /ping).
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["node", "/opt/gatehouse/healthcheck.js"]
ENTRYPOINT ["gatehouse"]
