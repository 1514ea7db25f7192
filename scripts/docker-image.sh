#!/usr/bin/env bash
# scripts/docker-image.sh — builds and checks the rightsize image on the project's Docker engine.
#
#   bash scripts/docker-image.sh base|build|check|all|--help
#
# The Dockerfile's default base is the official Node.js 20 image. No image registry is reachable
# on the project's development and CI machines, so `base` makes an equivalent local base image
# instead: a Debian bookworm minbase root file system (debootstrap, from Debian's packages) plus the
# files of this machine's installed `nodejs` package (Node.js 20.19+). `build` then builds the
# Dockerfile with NODE_IMAGE set to it; `check` runs the image as `serve` and waits until Docker's
# own HEALTHCHECK reports it healthy. Elsewhere, `docker build .` with the default base is enough.
set -euo pipefail
SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd -- "${SCRIPT_DIR}/.." && pwd -P)"
CACHE="${REPO_ROOT}/.cache/docker-image"
VERSION="$(node -p 'require(process.argv[1]).version' "${REPO_ROOT}/package.json")"
NODE_VERSION="$(node -p 'process.versions.node')"
BASE_IMAGE="rightsize/node-base:${NODE_VERSION}"
IMAGE="rightsize:${VERSION}"
CHECK_PORT="${RIGHTSIZE_IMAGE_CHECK_PORT:-18080}"
log() { printf 'docker-image.sh: %s\n' "$*" >&2; }
die() { printf 'docker-image.sh: ERROR: %s\n' "$*" >&2; exit 1; }

usage() {
  sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  printf '\nImages: base %s, result %s. Engine: $DOCKER_HOST, else the project'"'"'s own\n(bash scripts/docker-engine.sh start). Cache: %s.\n' "${BASE_IMAGE}" "${IMAGE}" "${CACHE}"
}

engine() {
  if [[ -z "${DOCKER_HOST:-}" ]]; then
    eval "$(bash "${SCRIPT_DIR}/docker-engine.sh" env)"
    export DOCKER_HOST
  fi
  docker version --format '{{.Server.Version}}' >/dev/null 2>&1 || die "no Docker engine at ${DOCKER_HOST} (bash scripts/docker-engine.sh start)"
}

base() {
  engine
  if docker image inspect "${BASE_IMAGE}" >/dev/null 2>&1; then log "base image ${BASE_IMAGE} exists"; return; fi
  dpkg -s nodejs >/dev/null 2>&1 || die "the local base needs Node.js installed as the Debian package 'nodejs' (found node ${NODE_VERSION} elsewhere)"
  command -v debootstrap >/dev/null || { log "installing debootstrap"; apt-get install -y -qq debootstrap >/dev/null; }
  local rootfs="${CACHE}/rootfs"
  if [[ ! -x "${rootfs}/bin/sh" ]]; then
    rm -rf "${rootfs}"
    mkdir -p "${rootfs}"
    log "debootstrap bookworm (minbase) into ${rootfs}: a few minutes the first time"
    debootstrap --variant=minbase bookworm "${rootfs}" >"${CACHE}/debootstrap.log" 2>&1 || die "debootstrap failed (see ${CACHE}/debootstrap.log)"
    rm -rf "${rootfs}/var/cache/apt/archives/"*.deb "${rootfs}/var/lib/apt/lists/"*
  fi
  log "adding the nodejs package's files (node ${NODE_VERSION}, npm)"
  # the package's own files, except npm: npm is taken whole as installed (it may have been upgraded)
  local npm_dir
  npm_dir="$(npm root -g)/npm"
  dpkg -L nodejs | grep -v "^${npm_dir}/" | while read -r f; do if [[ -f "$f" || -L "$f" ]]; then printf '%s\n' "$f"; fi; done >"${CACHE}/nodejs.files"
  tar -cf - --no-recursion -T "${CACHE}/nodejs.files" 2>/dev/null | tar -C "${rootfs}" -xf -
  mkdir -p "${rootfs}$(dirname "${npm_dir}")"
  tar -C "$(dirname "${npm_dir}")" -cf - npm | tar -C "${rootfs}$(dirname "${npm_dir}")" -xf -
  ln -sf "${npm_dir}/bin/npm-cli.js" "${rootfs}/usr/bin/npm"
  ln -sf "${npm_dir}/bin/npx-cli.js" "${rootfs}/usr/bin/npx"
  # trust what this machine trusts (a site's TLS-inspecting proxy CA, for npm inside the build)
  mkdir -p "${rootfs}/etc/ssl/certs"
  cp /etc/ssl/certs/ca-certificates.crt "${rootfs}/etc/ssl/certs/ca-certificates.crt" 2>/dev/null || true
  if [[ -f "$(npm config get globalconfig)" ]]; then
    mkdir -p "${rootfs}$(dirname "$(npm config get globalconfig)")"
    grep -E '^(cafile|registry)=' "$(npm config get globalconfig)" >"${rootfs}$(npm config get globalconfig)" || true
  fi
  log "importing ${BASE_IMAGE}"
  tar -C "${rootfs}" -c . | docker import --change 'CMD ["node"]' - "${BASE_IMAGE}" >/dev/null
}

build() {
  engine
  docker image inspect "${BASE_IMAGE}" >/dev/null 2>&1 || base
  log "docker build ${IMAGE} (NODE_IMAGE=${BASE_IMAGE}; npm ci inside the build uses the host network)"
  DOCKER_BUILDKIT=0 docker build --network host --build-arg "NODE_IMAGE=${BASE_IMAGE}" -t "${IMAGE}" "${REPO_ROOT}" >"${CACHE}/build.log" 2>&1 \
    || { tail -30 "${CACHE}/build.log" >&2; die "docker build failed (see ${CACHE}/build.log)"; }
  log "built ${IMAGE}: $(docker image inspect --format '{{.Size}}' "${IMAGE}" | awk '{printf "%.0f MB", $1/1e6}')"
}

check() {
  engine
  local user name="rightsize-image-check-$$" status="" deadline
  user="$(docker image inspect --format '{{.Config.User}}' "${IMAGE}")"
  [[ -n "${user}" && "${user}" != "root" && "${user%%:*}" != "0" ]] || die "${IMAGE} runs as '${user:-root}', not as an unprivileged user"
  docker run --rm --network none "${IMAGE}" rightsize --version >/dev/null || die "rightsize --version failed in ${IMAGE}"
  # serve with an unreachable Elasticsearch: /healthz (process up) must still answer
  docker run -d --name "${name}" --network host --health-interval 2s --health-start-period 5s \
    -e "RIGHTSIZE_HEALTH_URL=http://127.0.0.1:${CHECK_PORT}/healthz" -e RIGHTSIZE_ES_URL=http://127.0.0.1:1 \
    "${IMAGE}" rightsize serve --host 127.0.0.1 --port "${CHECK_PORT}" >/dev/null
  # Expanded now: name is local to check() and unset (set -u) by the time the EXIT trap runs.
  # shellcheck disable=SC2064
  trap "docker rm -f '${name}' >/dev/null 2>&1 || true" EXIT
  deadline=$((SECONDS + 90))
  while (( SECONDS < deadline )); do
    status="$(docker inspect --format '{{.State.Health.Status}}' "${name}" 2>/dev/null || echo gone)"
    [[ "${status}" == "healthy" || "${status}" == "gone" ]] && break
    sleep 1
  done
  [[ "${status}" == "healthy" ]] || { docker logs "${name}" 2>&1 | tail -20 >&2; die "${IMAGE} did not become healthy (status ${status})"; }
  log "ok: ${IMAGE} runs as ${user}, answers --version, and its HEALTHCHECK reports healthy"
}

mkdir -p "${CACHE}"
case "${1:-}" in
  base) base ;;
  build) build ;;
  check) check ;;
  all) base; build; check ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac
