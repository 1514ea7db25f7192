# rightsize: one image for every role (collect, alerts run, serve, analyze, report).
#   docker build -t rightsize:0.1.0 .
#   docker run --rm -p 8080:8080 -e RIGHTSIZE_ES_URL=https://es:9200 rightsize:0.1.0 rightsize serve --host 0.0.0.0
# NODE_IMAGE must be a Node.js 20.19+ image on Debian (glibc); see docs/deployment.md.
ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: dev dependencies, TypeScript compile, then drop dev dependencies
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` (tsc) runs below, once the sources are in
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
RUN npx tsc -p tsconfig.build.json \
 && npm prune --omit=dev --ignore-scripts \
 && rm -rf src tsconfig*.json

# --- runtime: compiled code and production dependencies only, as an unprivileged user
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    RIGHTSIZE_HEALTH_URL=http://127.0.0.1:8080/healthz
WORKDIR /opt/rightsize
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/bin ./bin
COPY dashboards ./dashboards
RUN ln -s /opt/rightsize/bin/rightsize.js /usr/local/bin/rightsize \
 && groupadd --system --gid 10001 rightsize \
 && useradd --system --uid 10001 --gid rightsize --home-dir /opt/rightsize --shell /usr/sbin/nologin rightsize
USER 10001:10001
EXPOSE 8080 9464
# /healthz of the role this container runs: serve's API port, or collect/alerts --metrics-port
# (set RIGHTSIZE_HEALTH_URL to match). No curl in the image: Node's own fetch.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.RIGHTSIZE_HEALTH_URL,{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# No ENTRYPOINT, so Marathon's `cmd` (run through /bin/sh -c) and plain `docker run … rightsize …` both work.
CMD ["rightsize", "serve", "--host", "0.0.0.0"]
