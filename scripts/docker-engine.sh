#!/usr/bin/env bash
# scripts/docker-engine.sh — a project-managed, real Docker engine for tests,
# benchmarks and the demo, plus the tiny `rightsize/workload` image that runs
# native/workload/workload.c (a precise synthetic build workload).
#
#   bash scripts/docker-engine.sh start|stop|status|env|--help
#
# State lives under <repo>/.cache/docker/ (git-ignored). The engine is a private
# dockerd (own socket, data-root, exec-root, own managed containerd), so it
# never touches a system Docker. Containers have no network (bridge=none):
# always run them with `--network none`.
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd -- "${SCRIPT_DIR}/.." && pwd -P)"
STATE_DIR="${REPO_ROOT}/.cache/docker"
WORKLOAD_SRC="${REPO_ROOT}/native/workload/workload.c"

START_TIMEOUT_S="${RIGHTSIZE_DOCKER_START_TIMEOUT_S:-60}"
STOP_TIMEOUT_S="${RIGHTSIZE_DOCKER_STOP_TIMEOUT_S:-30}"

readonly IMAGE_REPO="rightsize/workload"
readonly IMAGE_LATEST="${IMAGE_REPO}:latest"
# Bump when the rootfs layout / import options below change, so the content
# tag changes even though the workload and busybox binaries did not.
readonly IMAGE_RECIPE="rootfs-v1"
readonly WORKLOAD_CFLAGS=(-O2 -static -pthread)
readonly APT_PACKAGES=(docker.io busybox-static)

readonly EXIT_USAGE=2
readonly EXIT_STOPPED=3 # `status` when not running (LSB convention)
readonly EXIT_MISSING=10
readonly EXIT_START_FAILED=13
readonly EXIT_PERMISSIONS=14
readonly EXIT_STOP_FAILED=15
readonly EXIT_IMAGE_FAILED=16

log() { printf 'docker-engine.sh: %s\n' "$*" >&2; }
die() {
  local code="$1"
  shift
  printf 'docker-engine.sh: ERROR: %s\n' "$*" >&2
  exit "${code}"
}

# ------------------------------------------------------------------- paths

DATA_ROOT="${STATE_DIR}/root"
PID_FILE="${STATE_DIR}/dockerd.pid"
LOG_FILE="${STATE_DIR}/dockerd.log"
CONFIG_FILE="${STATE_DIR}/daemon.json"
LOCK_FILE="${STATE_DIR}/lock"
WORKLOAD_BIN="${STATE_DIR}/workload"
RUNTIME_DIR="${STATE_DIR}"
# unix socket paths must stay well below the 108-byte sun_path limit: the
# longest one we create is <exec-root>/containerd/containerd.sock.ttrpc.
longest="${STATE_DIR}/exec/containerd/containerd.sock.ttrpc"
if ((${#longest} >= 100)); then
  RUNTIME_DIR="/run/rightsize-docker-$(printf '%s' "${REPO_ROOT}" | sha256sum | cut -c1-12)"
fi
unset longest
SOCK="${RUNTIME_DIR}/docker.sock"
EXEC_ROOT="${RUNTIME_DIR}/exec"
DOCKER_HOST_URL="unix://${SOCK}"

usage() {
  cat <<EOF
Usage: bash scripts/docker-engine.sh <command>

Manage a private, real Docker engine (dockerd) for rightsize tests and the
synthetic workload image '${IMAGE_LATEST}'.

Commands:
  start     install docker.io + busybox-static with apt if missing (root only),
            start dockerd detached (vfs storage, no iptables, no bridge), wait
            until it answers (${START_TIMEOUT_S}s deadline), build the static workload
            binary, import the workload image if its content changed, and run a
            smoke test. Idempotent: if already running, only ensures the image.
  stop      remove all containers of this engine, TERM dockerd, KILL after
            ${STOP_TIMEOUT_S}s. Idempotent.
  status    print running/stopped, versions and the image (exit 0 running,
            3 stopped).
  env       print DOCKER_HOST=... and RIGHTSIZE_WORKLOAD_IMAGE=... lines, e.g.
              set -a; eval "\$(bash scripts/docker-engine.sh env)"; set +a
            ('env --export' prefixes each line with 'export ').
  --help    this text.

Paths:
  socket     ${SOCK}
  data-root  ${DATA_ROOT}
  exec-root  ${EXEC_ROOT}
  log        ${LOG_FILE}
  workload   ${WORKLOAD_BIN} (static build of native/workload/workload.c)

Containers of this engine have no network: always use 'docker run --network none'.

Environment:
  RIGHTSIZE_DOCKER_START_TIMEOUT_S  seconds to wait for dockerd (default 60)
  RIGHTSIZE_DOCKER_STOP_TIMEOUT_S   seconds after TERM before KILL (default 30)
EOF
}

# ----------------------------------------------------------------- helpers

is_root() { [[ "$(id -u)" == "0" ]]; }

# Docker CLI pinned to our socket (a newer CLI negotiates the API down).
dk() { DOCKER_CONTEXT='' docker -H "${DOCKER_HOST_URL}" "$@"; }

# GET on the engine API through the socket; prints the body, fails on HTTP>=400.
api() { curl -fsS --max-time "${API_TIMEOUT_S:-10}" --unix-socket "${SOCK}" "http://localhost$1"; }

ping_ok() { [[ -S "${SOCK}" ]] && [[ "$(API_TIMEOUT_S=3 api /_ping 2>/dev/null || true)" == "OK" ]]; }

dockerd_pid() {
  local pid
  [[ -f "${PID_FILE}" ]] || return 1
  pid="$(tr -dc '0-9' <"${PID_FILE}" 2>/dev/null || true)"
  [[ -n "${pid}" ]] || return 1
  [[ -d "/proc/${pid}" ]] || return 1 # (kill -0 fails with EPERM for non-root)
  # guard against a recycled pid
  [[ "$(cat "/proc/${pid}/comm" 2>/dev/null || true)" == dockerd ]] || return 1
  printf '%s\n' "${pid}"
}

ensure_dirs() {
  mkdir -p "${STATE_DIR}" "${DATA_ROOT}" "${RUNTIME_DIR}" "${EXEC_ROOT}"
  chmod 0711 "${DATA_ROOT}" 2>/dev/null || true
}

take_lock() {
  mkdir -p "${STATE_DIR}"
  exec 9>"${LOCK_FILE}"
  if ! flock -w 300 9; then
    die "${EXIT_START_FAILED}" "another docker-engine.sh holds ${LOCK_FILE} for >300s"
  fi
}

is_static_busybox() {
  local bb
  bb="$(command -v busybox 2>/dev/null)" || return 1
  # no PT_INTERP program header = statically linked
  local hdrs
  hdrs="$(LC_ALL=C readelf -lW "${bb}" 2>/dev/null || true)"
  [[ "${hdrs}" == *"Program Headers"* && "${hdrs}" != *INTERP* ]] && return 0
  hdrs="$(LC_ALL=C ldd "${bb}" 2>&1 || true)"
  [[ "${hdrs}" == *"not a dynamic executable"* || "${hdrs}" == *"statically linked"* ]]
}

need_install() {
  command -v dockerd >/dev/null 2>&1 || return 0
  command -v docker >/dev/null 2>&1 || return 0
  command -v containerd >/dev/null 2>&1 || return 0
  command -v runc >/dev/null 2>&1 || return 0
  is_static_busybox || return 0
  return 1
}

ensure_packages() {
  local pkgs=()
  if need_install; then pkgs+=("${APT_PACKAGES[@]}"); fi
  if ! command -v gcc >/dev/null 2>&1; then pkgs+=(gcc libc6-dev); fi
  command -v curl >/dev/null 2>&1 || pkgs+=(curl)
  ((${#pkgs[@]} == 0)) && return 0
  if ! is_root; then
    die "${EXIT_MISSING}" "missing tools (need dockerd, docker, containerd, runc, a static busybox, gcc, curl). Install as root: apt-get install -y ${pkgs[*]}"
  fi
  command -v apt-get >/dev/null 2>&1 ||
    die "${EXIT_MISSING}" "missing tools and no apt-get; install: ${pkgs[*]}"
  log "installing ${pkgs[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || die "${EXIT_MISSING}" "apt-get update failed"
  apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >&2 ||
    die "${EXIT_MISSING}" "apt-get install ${pkgs[*]} failed"
  need_install && die "${EXIT_MISSING}" "still missing dockerd/docker/containerd/runc/static busybox after apt-get install"
  return 0
}

print_log_tail() {
  if [[ -f "${LOG_FILE}" ]]; then
    printf -- '---- last 40 lines of %s ----\n' "${LOG_FILE}" >&2
    tail -n 40 "${LOG_FILE}" >&2 || true
    printf -- '----\n' >&2
  fi
}

# -------------------------------------------------------------- the engine

start_dockerd() {
  ensure_dirs
  [[ -f "${CONFIG_FILE}" ]] || printf '{}\n' >"${CONFIG_FILE}"
  rm -f "${SOCK}" "${PID_FILE}"
  log "starting dockerd (socket ${SOCK}, log ${LOG_FILE})"
  printf '\n==== %s docker-engine.sh start ====\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"${LOG_FILE}"
  # setsid + nohup: own session, survives the caller (and its process group).
  # Close every inherited fd above 2 first: dockerd must not hold our lock fd
  # or a caller's pipe (e.g. `x=$(... start)` or `start | tee` in CI would
  # otherwise wait for EOF forever).
  (
    for fd_path in /proc/"${BASHPID}"/fd/*; do
      fd="${fd_path##*/}"
      if [[ "${fd}" =~ ^[0-9]+$ ]] && ((fd > 2)); then eval "exec ${fd}>&-" 2>/dev/null || true; fi
    done
    exec setsid nohup dockerd \
      --config-file "${CONFIG_FILE}" \
      --host "${DOCKER_HOST_URL}" \
      --data-root "${DATA_ROOT}" \
      --exec-root "${EXEC_ROOT}" \
      --pidfile "${PID_FILE}" \
      --storage-driver=vfs \
      --iptables=false \
      --ip6tables=false \
      --ip-masq=false \
      --bridge=none
  ) </dev/null >>"${LOG_FILE}" 2>&1 &
  local launched=$!
  disown "${launched}" 2>/dev/null || true

  local deadline=$((SECONDS + START_TIMEOUT_S)) gone=0
  while ((SECONDS < deadline)); do
    if ping_ok; then
      log "dockerd is up (pid $(dockerd_pid || echo "${launched}"))"
      return 0
    fi
    # (if setsid had to fork, $launched exits at once; then trust the pid file)
    if ! kill -0 "${launched}" 2>/dev/null && ! dockerd_pid >/dev/null; then
      if ((++gone >= 6)); then
        print_log_tail
        die "${EXIT_START_FAILED}" "dockerd exited during startup (see ${LOG_FILE})"
      fi
    fi
    sleep 0.5
  done
  print_log_tail
  kill -TERM "${launched}" 2>/dev/null || true
  die "${EXIT_START_FAILED}" "dockerd did not answer on ${SOCK} within ${START_TIMEOUT_S}s (see ${LOG_FILE})"
}

# ------------------------------------------------------------ the image

build_workload() {
  local stamp="${WORKLOAD_BIN}.stamp" want
  [[ -f "${WORKLOAD_SRC}" ]] || die "${EXIT_IMAGE_FAILED}" "missing ${WORKLOAD_SRC}"
  want="$( { sha256sum <"${WORKLOAD_SRC}"; printf '%s\n' "${WORKLOAD_CFLAGS[*]}"; gcc -dumpfullversion 2>/dev/null || true; } | sha256sum | cut -c1-64)"
  if [[ -x "${WORKLOAD_BIN}" && -f "${stamp}" && "$(cat "${stamp}")" == "${want}" ]]; then
    return 0
  fi
  log "building ${WORKLOAD_BIN} (gcc ${WORKLOAD_CFLAGS[*]})"
  gcc "${WORKLOAD_CFLAGS[@]}" -o "${WORKLOAD_BIN}.tmp" "${WORKLOAD_SRC}" ||
    die "${EXIT_IMAGE_FAILED}" "compiling ${WORKLOAD_SRC} failed"
  mv -f "${WORKLOAD_BIN}.tmp" "${WORKLOAD_BIN}"
  printf '%s\n' "${want}" >"${stamp}"
}

image_exists() { API_TIMEOUT_S=10 api "/images/$1/json" >/dev/null 2>&1; }

ensure_image() {
  build_workload
  local bb content tag
  bb="$(command -v busybox)"
  bb="$(readlink -f "${bb}")"
  content="$( { cat "${WORKLOAD_BIN}" "${bb}"; printf '%s' "${IMAGE_RECIPE}"; } | sha256sum | cut -c1-12)"
  tag="${IMAGE_REPO}:${content}"
  if image_exists "${tag}"; then
    log "image ${tag} already imported"
  else
    log "importing ${tag}"
    local rootfs="${STATE_DIR}/rootfs" tarball="${STATE_DIR}/rootfs.tar" applet
    rm -rf "${rootfs}" "${tarball}"
    mkdir -p "${rootfs}"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,etc,root,tmp,proc,sys,dev,var/tmp}
    chmod 1777 "${rootfs}/tmp" "${rootfs}/var/tmp"
    chmod 0700 "${rootfs}/root"
    install -m 0755 "${bb}" "${rootfs}/bin/busybox"
    install -m 0755 "${WORKLOAD_BIN}" "${rootfs}/usr/local/bin/workload"
    # every applet as /bin/<name> (at least sh, sleep, cat, ls, echo, true, ...)
    while IFS= read -r applet; do
      [[ -n "${applet}" && "${applet}" != busybox ]] || continue
      ln -sf busybox "${rootfs}/bin/${applet}"
    done < <("${bb}" --list)
    for applet in sh sleep cat ls echo true false env ps kill; do
      [[ -e "${rootfs}/bin/${applet}" ]] || ln -s busybox "${rootfs}/bin/${applet}"
    done
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"${rootfs}/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"${rootfs}/etc/group"
    tar --numeric-owner --owner=0 --group=0 --mtime='@0' --sort=name -C "${rootfs}" -cf "${tarball}" . ||
      die "${EXIT_IMAGE_FAILED}" "creating ${tarball} failed"
    dk import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'WORKDIR /tmp' \
      --change 'CMD ["workload", "--help"]' \
      --message "rightsize synthetic workload (${IMAGE_RECIPE})" \
      "${tarball}" "${tag}" >/dev/null ||
      die "${EXIT_IMAGE_FAILED}" "docker import ${tag} failed"
    rm -rf "${rootfs}" "${tarball}"
  fi
  dk tag "${tag}" "${IMAGE_LATEST}" || die "${EXIT_IMAGE_FAILED}" "docker tag ${tag} ${IMAGE_LATEST} failed"
  # best effort: drop older content tags (fails harmlessly while in use)
  local old
  for old in $(dk images --format '{{.Repository}}:{{.Tag}}' "${IMAGE_REPO}" 2>/dev/null || true); do
    [[ "${old}" == "${tag}" || "${old}" == "${IMAGE_LATEST}" ]] && continue
    dk rmi "${old}" >/dev/null 2>&1 || true
  done

  log "smoke test: docker run --rm --network none ${IMAGE_LATEST} workload --cpu 0.1 --mem 8m --duration 1s"
  local out
  if ! out="$(dk run --rm --network none "${IMAGE_LATEST}" workload --cpu 0.1 --mem 8m --duration 1s 2>&1)"; then
    printf '%s\n' "${out}" >&2
    print_log_tail
    die "${EXIT_IMAGE_FAILED}" "smoke test of ${IMAGE_LATEST} failed"
  fi
  log "smoke test ok: ${out}"
  log "image ${IMAGE_LATEST} = ${tag}"
}

# ------------------------------------------------------------- commands

cmd_start() {
  if ! is_root; then
    # a non-root caller can only use an engine that root already started
    if ping_ok && image_exists "${IMAGE_LATEST}"; then
      log "dockerd already running; image ${IMAGE_LATEST} present (not root: nothing else to do)"
      return 0
    fi
    ensure_packages
    die "${EXIT_PERMISSIONS}" "starting dockerd needs root (this is a rootful engine); run: sudo bash scripts/docker-engine.sh start"
  fi
  take_lock
  ensure_packages
  if dockerd_pid >/dev/null; then
    if ! ping_ok; then
      # still starting (another start, or a slow boot): wait for it
      local deadline=$((SECONDS + START_TIMEOUT_S))
      until ping_ok; do
        if ((SECONDS >= deadline)) || ! dockerd_pid >/dev/null; then
          print_log_tail
          die "${EXIT_START_FAILED}" "dockerd (pid file ${PID_FILE}) is not answering on ${SOCK}"
        fi
        sleep 0.5
      done
    fi
    log "dockerd already running (pid $(dockerd_pid))"
  else
    start_dockerd
  fi
  ensure_image
  log "ready: DOCKER_HOST=${DOCKER_HOST_URL} RIGHTSIZE_WORKLOAD_IMAGE=${IMAGE_LATEST}"
}

cmd_stop() {
  if ! is_root && dockerd_pid >/dev/null; then
    die "${EXIT_PERMISSIONS}" "stopping the (root) dockerd needs root"
  fi
  is_root && take_lock
  local pid
  if ! pid="$(dockerd_pid)"; then
    log "dockerd not running"
    rm -f "${PID_FILE}"
    return 0
  fi
  if ping_ok; then
    local ids
    ids="$(dk ps -aq 2>/dev/null || true)"
    if [[ -n "${ids}" ]]; then
      log "removing containers: $(printf '%s' "${ids}" | tr '\n' ' ')"
      # shellcheck disable=SC2086
      dk rm -f ${ids} >/dev/null 2>&1 || true
    fi
  fi
  log "stopping dockerd (pid ${pid})"
  kill -TERM "${pid}" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT_S))
  while kill -0 "${pid}" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  if kill -0 "${pid}" 2>/dev/null; then
    log "dockerd did not exit within ${STOP_TIMEOUT_S}s; sending KILL"
    kill -KILL "${pid}" 2>/dev/null || true
    sleep 0.5
    kill -0 "${pid}" 2>/dev/null && die "${EXIT_STOP_FAILED}" "dockerd (pid ${pid}) survived KILL"
    # the containerd it managed would otherwise linger
    local cpid_file="${EXEC_ROOT}/containerd/containerd.pid" cpid
    if [[ -f "${cpid_file}" ]]; then
      cpid="$(tr -dc '0-9' <"${cpid_file}" || true)"
      if [[ -n "${cpid}" && "$(cat "/proc/${cpid}/comm" 2>/dev/null || true)" == containerd ]]; then
        kill -KILL "${cpid}" 2>/dev/null || true
      fi
    fi
    # leftover mounts of killed containers
    local mnt
    while IFS= read -r mnt; do
      umount -l "${mnt}" 2>/dev/null || true
    done < <(awk -v a="${DATA_ROOT}/" -v b="${EXEC_ROOT}/" 'index($2, a) == 1 || index($2, b) == 1 { print $2 }' /proc/mounts | sort -r)
  fi
  rm -f "${PID_FILE}" "${SOCK}"
  log "stopped"
}

cmd_status() {
  local pid
  if pid="$(dockerd_pid)" && ping_ok; then
    local ver
    ver="$(api /version 2>/dev/null | tr -d '\n' || true)"
    printf 'running (pid %s)\n' "${pid}"
    printf '  socket:       %s\n' "${SOCK}"
    printf '  engine:       %s\n' "$(sed -n 's/.*"Version":"\([^"]*\)".*"ApiVersion".*/\1/p' <<<"${ver}" | head -n1)"
    printf '  api version:  %s\n' "$(sed -n 's/.*"ApiVersion":"\([^"]*\)".*/\1/p' <<<"${ver}")"
    if image_exists "${IMAGE_LATEST}"; then
      printf '  image:        %s (%s)\n' "${IMAGE_LATEST}" \
        "$(dk images --format '{{.Repository}}:{{.Tag}}' "${IMAGE_REPO}" 2>/dev/null | grep -v ':latest$' | head -n1)"
    else
      printf '  image:        %s missing (run: bash scripts/docker-engine.sh start)\n' "${IMAGE_LATEST}"
    fi
    printf '  containers:   %s\n' "$(dk ps -q 2>/dev/null | wc -l | tr -d ' ') running"
    return 0
  fi
  if pid="$(dockerd_pid)"; then
    if [[ -S "${SOCK}" && ! -w "${SOCK}" ]]; then
      printf 'running (pid %s), but socket %s is not accessible to this user\n' "${pid}" "${SOCK}"
      return 0
    fi
    printf 'starting or unresponsive (pid %s, socket %s not answering)\n' "${pid}" "${SOCK}"
  else
    printf 'stopped\n'
  fi
  return "${EXIT_STOPPED}"
}

cmd_env() {
  local prefix=''
  if [[ "${1:-}" == --export ]]; then prefix='export '; fi
  printf '%sDOCKER_HOST=%q\n' "${prefix}" "${DOCKER_HOST_URL}"
  printf '%sRIGHTSIZE_WORKLOAD_IMAGE=%q\n' "${prefix}" "${IMAGE_LATEST}"
}

main() {
  local cmd="${1:-}"
  (($# > 0)) && shift
  case "${cmd}" in
    start) cmd_start "$@" ;;
    stop) cmd_stop "$@" ;;
    status) cmd_status "$@" ;;
    env) cmd_env "$@" ;;
    -h | --help | help) usage ;;
    '')
      usage >&2
      exit "${EXIT_USAGE}"
      ;;
    *)
      printf 'docker-engine.sh: unknown command: %s\n\n' "${cmd}" >&2
      usage >&2
      exit "${EXIT_USAGE}"
      ;;
  esac
}

main "$@"
