#!/usr/bin/env bash
# scripts/es.sh — project-managed, real, single-node Elasticsearch for tests,
# benchmarks and the demo. See docs/elasticsearch.md.
#
#   bash scripts/es.sh start|stop|status|url|--help
#
# Everything lives under <repo>/.cache/elasticsearch/ (git-ignored), or see CACHE_DIR below.
set -euo pipefail

readonly ES_USER_NAME="rightsize-es"
readonly ES_GROUP_ID="org.elasticsearch.distribution.integ-test-zip"
readonly ES_ARTIFACT_ID="elasticsearch"

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd -- "${SCRIPT_DIR}/.." && pwd -P)"

# True when every directory from / down to $1 lets "others" in (o+x): what the unprivileged
# Elasticsearch user needs to reach files below $1.
path_traversable_by_others() {
  local dir="$1" perm
  while [[ -n "${dir}" && "${dir}" != "/" ]]; do
    perm="$(stat -c '%a' "${dir}")" || return 1
    (( ${perm: -1} & 1 )) || return 1
    dir="$(dirname "${dir}")"
  done
}

# Where the distribution, data, logs and pid files live: RIGHTSIZE_ES_CACHE_DIR, else the
# checkout's .cache/elasticsearch. As root, Elasticsearch runs as an unprivileged user that cannot
# enter a checkout below a private directory (Debian's /root is 0700), so such a checkout keeps
# its Elasticsearch under /var/lib/rightsize-es/<hash of the checkout path> instead.
if [[ -n "${RIGHTSIZE_ES_CACHE_DIR:-}" ]]; then
  CACHE_DIR="${RIGHTSIZE_ES_CACHE_DIR}"
elif [[ "${EUID}" -eq 0 ]] && ! path_traversable_by_others "${REPO_ROOT}"; then
  CACHE_DIR="/var/lib/rightsize-es/$(printf '%s' "${REPO_ROOT}" | sha1sum | cut -c1-12)"
else
  CACHE_DIR="${REPO_ROOT}/.cache/elasticsearch"
fi

ES_VERSION="${RIGHTSIZE_ES_VERSION:-8.19.7}"
ES_PORT="${RIGHTSIZE_ES_PORT:-9200}"
ES_HEAP="${RIGHTSIZE_ES_HEAP:-1g}"
START_TIMEOUT_S="${RIGHTSIZE_ES_START_TIMEOUT_S:-120}"
STOP_TIMEOUT_S="${RIGHTSIZE_ES_STOP_TIMEOUT_S:-30}"

# Distinct exit codes so callers (and CI logs) can tell failures apart.
readonly EXIT_USAGE=2
readonly EXIT_STOPPED=3        # `status` when not running (LSB convention)
readonly EXIT_NO_JAVA=10
readonly EXIT_PORT_TAKEN=11
readonly EXIT_DOWNLOAD=12
readonly EXIT_START_FAILED=13
readonly EXIT_PERMISSIONS=14
readonly EXIT_STOP_FAILED=15

log() { printf 'es.sh: %s\n' "$*" >&2; }
die() {
  local code="$1"
  shift
  printf 'es.sh: ERROR: %s\n' "$*" >&2
  exit "${code}"
}

usage() {
  cat <<EOF
Usage: bash scripts/es.sh <command>

Manage a local single-node Elasticsearch ${ES_VERSION} for rightsize
(tests, benchmarks, demo). Data, logs and the distribution are cached under
  ${CACHE_DIR}

Commands:
  start    download (once), unzip (once) and start ES detached; waits until the
           cluster is at least yellow. No-op if already running on the port.
  stop     stop the ES started on the port (TERM, then KILL after a deadline).
  status   print running/stopped plus cluster health (exit 0 running, 3 stopped).
  url      print the base URL (http://127.0.0.1:<port>).
  --help   this text.

Environment:
  RIGHTSIZE_ES_VERSION          ES version (default 8.19.7; keep the minor equal
                                to the @elastic/elasticsearch client's)
  RIGHTSIZE_ES_PORT             HTTP port (default 9200); transport = port+100
  RIGHTSIZE_ES_HEAP             JVM heap, e.g. 512m, 2g (default 1g)
  RIGHTSIZE_ES_START_TIMEOUT_S  seconds to wait for yellow health (default 120)
  RIGHTSIZE_ES_STOP_TIMEOUT_S   seconds to wait after TERM before KILL (default 30)
  RIGHTSIZE_ES_CACHE_DIR        where the distribution, data and logs live (default
                                <repo>/.cache/elasticsearch; as root in a checkout
                                the ES user cannot enter, /var/lib/rightsize-es/<hash>)
  RIGHTSIZE_MAVEN_REPO_URL      Maven repository base URL, used with curl only
                                when 'mvn' is not installed
  JAVA_HOME                     Java 17+ to run ES with (else 'java' on PATH)
EOF
}

# ---------------------------------------------------------------- validation

validate_env() {
  if ! [[ "${ES_PORT}" =~ ^[0-9]{4,5}$ ]] || ((10#${ES_PORT} < 1024 || 10#${ES_PORT} > 65435)); then
    die "${EXIT_USAGE}" "RIGHTSIZE_ES_PORT must be a number in 1024..65435, got '${ES_PORT}'"
  fi
  ES_PORT=$((10#${ES_PORT}))
  [[ "${ES_VERSION}" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
    die "${EXIT_USAGE}" "RIGHTSIZE_ES_VERSION must look like 8.19.7, got '${ES_VERSION}'"
  [[ "${ES_HEAP}" =~ ^[0-9]+[kKmMgG]$ ]] ||
    die "${EXIT_USAGE}" "RIGHTSIZE_ES_HEAP must look like 512m or 1g, got '${ES_HEAP}'"
  [[ "${START_TIMEOUT_S}" =~ ^[0-9]+$ ]] ||
    die "${EXIT_USAGE}" "RIGHTSIZE_ES_START_TIMEOUT_S must be a whole number of seconds, got '${START_TIMEOUT_S}'"
  [[ "${STOP_TIMEOUT_S}" =~ ^[0-9]+$ ]] ||
    die "${EXIT_USAGE}" "RIGHTSIZE_ES_STOP_TIMEOUT_S must be a whole number of seconds, got '${STOP_TIMEOUT_S}'"
}

set_paths() {
  TRANSPORT_PORT=$((ES_PORT + 100))
  ES_URL="http://127.0.0.1:${ES_PORT}"
  ES_HOME="${CACHE_DIR}/elasticsearch-${ES_VERSION}"
  ZIP_FILE="${CACHE_DIR}/elasticsearch-${ES_VERSION}.zip"
  DATA_DIR="${CACHE_DIR}/data-${ES_PORT}"
  LOGS_DIR="${CACHE_DIR}/logs-${ES_PORT}"
  CONF_DIR="${CACHE_DIR}/config-${ES_PORT}"
  TMP_DIR="${CACHE_DIR}/tmp-${ES_PORT}"
  PID_FILE="${CACHE_DIR}/es-${ES_PORT}.pid"
  CONSOLE_LOG="${LOGS_DIR}/console.log"
  ES_LOG="${LOGS_DIR}/rightsize-local.log"
}

need_cmd() {
  command -v "$1" >/dev/null 2>&1 || die "$2" "'$1' is required but not installed${3:+ ($3)}"
}

# Serialise start/stop per port (fd 8) and download/unzip per version (fd 9)
# across concurrent invocations. Lock fds must never leak into the ES process.
take_run_lock() {
  mkdir -p "${CACHE_DIR}"
  exec 8>"${CACHE_DIR}/.run-${ES_PORT}.lock"
  if command -v flock >/dev/null 2>&1; then
    flock -w 600 8 || die "${EXIT_START_FAILED}" "could not lock ${CACHE_DIR}/.run-${ES_PORT}.lock within 600s"
  fi
}

take_dist_lock() {
  mkdir -p "${CACHE_DIR}"
  exec 9>"${CACHE_DIR}/.dist-${ES_VERSION}.lock"
  if command -v flock >/dev/null 2>&1; then
    flock -w 600 9 || die "${EXIT_DOWNLOAD}" "could not lock ${CACHE_DIR}/.dist-${ES_VERSION}.lock within 600s"
  fi
}

# ---------------------------------------------------------------- java

# Sets JAVA_BIN and ES_JAVA_HOME_RESOLVED, or dies.
resolve_java() {
  local java_bin java_home version_line version major
  if [[ -n "${JAVA_HOME:-}" ]]; then
    java_bin="${JAVA_HOME}/bin/java"
    [[ -x "${java_bin}" ]] ||
      die "${EXIT_NO_JAVA}" "JAVA_HOME is set to '${JAVA_HOME}' but ${java_bin} is not an executable; fix JAVA_HOME or unset it to use 'java' from PATH"
    java_home="${JAVA_HOME}"
  else
    java_bin="$(command -v java 2>/dev/null || true)"
    [[ -n "${java_bin}" ]] ||
      die "${EXIT_NO_JAVA}" "Java not found: no 'java' on PATH and JAVA_HOME is unset. Elasticsearch ${ES_VERSION} (integ-test-zip, no bundled JDK) needs Java 17 or newer, e.g. 'apt-get install openjdk-17-jre-headless', or set JAVA_HOME"
    java_bin="$(readlink -f "${java_bin}")"
    java_home="$(dirname "$(dirname "${java_bin}")")"
  fi
  version_line="$("${java_bin}" -version 2>&1 | grep -m1 -E 'version "' || true)"
  version="$(sed -E 's/.*version "([^"]+)".*/\1/' <<<"${version_line}")"
  [[ -n "${version}" ]] ||
    die "${EXIT_NO_JAVA}" "could not determine the Java version of ${java_bin} (output: '${version_line}')"
  if [[ "${version}" == 1.* ]]; then
    major="$(cut -d. -f2 <<<"${version}")"
  else
    major="$(sed -E 's/^([0-9]+).*/\1/' <<<"${version}")"
  fi
  if ! [[ "${major}" =~ ^[0-9]+$ ]] || ((major < 17)); then
    die "${EXIT_NO_JAVA}" "Java ${version} at ${java_bin} is too old: Elasticsearch ${ES_VERSION} needs Java 17 or newer (set JAVA_HOME to a newer JDK)"
  fi
  JAVA_BIN="${java_bin}"
  ES_JAVA_HOME_RESOLVED="${java_home}"
}

# ---------------------------------------------------------------- download

zip_ok() { [[ -s "$1" ]] && unzip -tqq "$1" >/dev/null 2>&1; }

sha1_of() { sha1sum "$1" | awk '{print $1}'; }

# The local Maven repository (-Dmaven.repo.local in MAVEN_OPTS, else ~/.m2/repository).
maven_repo_dir() {
  local repo="${HOME}/.m2/repository" opt
  for opt in ${MAVEN_OPTS:-}; do
    [[ "${opt}" == -Dmaven.repo.local=* ]] && repo="${opt#-Dmaven.repo.local=}"
  done
  printf '%s' "${repo}"
}

# While process $1 runs, shows how many MB have arrived in directory $2 since it started (Maven
# writes the artifact to a temporary file and moves it in place when complete, so the growth of
# the whole local repository is what can be watched): one updating line on a terminal, else a
# line every 10 s (a log file or the demo's captured output stays readable).
show_download_progress() {
  local pid="$1" dir="$2" total="" base bytes mb last=-1 tick=0 tty=""
  base="$(du -sb "${dir}" 2>/dev/null | awk '{print $1}' || true)"
  [[ -t 2 ]] && tty=1
  # The total from Maven Central (or RIGHTSIZE_MAVEN_REPO_URL), when it answers; Maven may use a
  # mirror of its own, so this is only the expected size.
  total="$(curl -fsSI --max-time 5 "${RIGHTSIZE_MAVEN_REPO_URL:-https://repo.maven.apache.org/maven2}/${ES_GROUP_ID//.//}/${ES_ARTIFACT_ID}/${ES_VERSION}/${ES_ARTIFACT_ID}-${ES_VERSION}.zip" 2>/dev/null |
    tr -d '\r' | awk 'tolower($1) == "content-length:" { printf "%.0f", $2 / 1048576 }' || true)"
  while kill -0 "${pid}" 2>/dev/null; do
    bytes="$(du -sb "${dir}" 2>/dev/null | awk '{print $1}' || true)"
    mb=$(( (${bytes:-0} - ${base:-0}) / 1048576 ))
    ((mb >= 0)) || mb=0
    if [[ -n "${tty}" ]]; then
      printf '\res.sh: downloading Elasticsearch %s (and the Maven plugin fetching it): %s MB%s ' "${ES_VERSION}" "${mb}" "${total:+ of ${total} MB}" >&2
    elif ((tick % 10 == 0 && mb != last)); then
      log "downloading Elasticsearch ${ES_VERSION} (and the Maven plugin fetching it): ${mb} MB${total:+ of ${total} MB}"
      last=${mb}
    fi
    tick=$((tick + 1))
    sleep 1
  done
  [[ -n "${tty}" ]] && printf '\n' >&2
  return 0
}

download_with_mvn() {
  local out_dir="$1" m2_file m2_sha1
  log "fetching ${ES_GROUP_ID}:${ES_ARTIFACT_ID}:${ES_VERSION}:zip with Maven"
  # Run from the tmp dir so a stray pom.xml in the caller's cwd is not picked
  # up; keep Maven's output out of the way unless it fails.
  # Maven is quiet here (-B -q: its own output is plugin noise): a progress line instead, from
  # the size of the artifact's directory in the local repository while Maven fills it.
  (cd "${out_dir}" && mvn -B -q dependency:copy \
    "-Dartifact=${ES_GROUP_ID}:${ES_ARTIFACT_ID}:${ES_VERSION}:zip" \
    "-DoutputDirectory=${out_dir}" -Dmdep.overWriteReleases=true) >"${out_dir}/mvn.log" 2>&1 8>&- 9>&- &
  local mvn_pid=$! mvn_rc=0
  show_download_progress "${mvn_pid}" "$(maven_repo_dir)"
  wait "${mvn_pid}" || mvn_rc=$?
  if ((mvn_rc != 0)); then
    tail -n 40 "${out_dir}/mvn.log" >&2
    die "${EXIT_DOWNLOAD}" "download failed: 'mvn dependency:copy' could not fetch ${ES_GROUP_ID}:${ES_ARTIFACT_ID}:${ES_VERSION}:zip (network? does the version exist? see Maven output above)"
  fi
  # Maven verifies checksums while downloading; re-check against the local
  # repository's .sha1 when it kept one.
  m2_file="${HOME}/.m2/repository/${ES_GROUP_ID//.//}/${ES_ARTIFACT_ID}/${ES_VERSION}/${ES_ARTIFACT_ID}-${ES_VERSION}.zip"
  m2_sha1="${m2_file}.sha1"
  if [[ -s "${m2_sha1}" ]]; then
    [[ "$(awk '{print $1; exit}' "${m2_sha1}")" == "$(sha1_of "${out_dir}/${ES_ARTIFACT_ID}-${ES_VERSION}.zip")" ]] ||
      die "${EXIT_DOWNLOAD}" "download failed: sha1 of the zip does not match ${m2_sha1}"
  fi
}

download_with_curl() {
  local out_dir="$1" base url expected actual
  base="${RIGHTSIZE_MAVEN_REPO_URL%/}"
  url="${base}/${ES_GROUP_ID//.//}/${ES_ARTIFACT_ID}/${ES_VERSION}/${ES_ARTIFACT_ID}-${ES_VERSION}.zip"
  need_cmd curl "${EXIT_DOWNLOAD}" "needed to download without Maven"
  local progress=(-sS)
  [[ -t 2 ]] && progress=(--progress-bar)
  log "fetching ${url}"
  curl "${progress[@]}" -fL --retry 3 --connect-timeout 20 -o "${out_dir}/${ES_ARTIFACT_ID}-${ES_VERSION}.zip" "${url}" ||
    die "${EXIT_DOWNLOAD}" "download failed: could not fetch ${url}"
  expected="$(curl -fsSL --retry 3 --connect-timeout 20 "${url}.sha1" 2>/dev/null | awk '{print $1; exit}' || true)"
  if [[ -n "${expected}" ]]; then
    actual="$(sha1_of "${out_dir}/${ES_ARTIFACT_ID}-${ES_VERSION}.zip")"
    [[ "${expected}" == "${actual}" ]] ||
      die "${EXIT_DOWNLOAD}" "download failed: sha1 mismatch for ${url} (expected ${expected}, got ${actual})"
  else
    log "warning: no ${url}.sha1 available; relying on 'unzip -t' only"
  fi
}

ensure_distribution() {
  need_cmd unzip "${EXIT_DOWNLOAD}" "needed to unpack the Elasticsearch zip"
  [[ -x "${ES_HOME}/bin/elasticsearch" ]] && return 0

  take_dist_lock
  if [[ -x "${ES_HOME}/bin/elasticsearch" ]]; then
    exec 9>&-
    return 0
  fi

  if ! zip_ok "${ZIP_FILE}"; then
    local dl_dir
    dl_dir="$(mktemp -d "${CACHE_DIR}/.download.XXXXXX")"
    # shellcheck disable=SC2064  # expand now: dl_dir is local
    trap "rm -rf '${dl_dir}'" EXIT
    if command -v mvn >/dev/null 2>&1; then
      download_with_mvn "${dl_dir}"
    elif [[ -n "${RIGHTSIZE_MAVEN_REPO_URL:-}" ]]; then
      download_with_curl "${dl_dir}"
    else
      die "${EXIT_DOWNLOAD}" "cannot download Elasticsearch ${ES_VERSION}: 'mvn' is not installed and RIGHTSIZE_MAVEN_REPO_URL is not set. Install Maven (e.g. 'apt-get install maven') or set RIGHTSIZE_MAVEN_REPO_URL to a Maven repository base URL"
    fi
    zip_ok "${dl_dir}/${ES_ARTIFACT_ID}-${ES_VERSION}.zip" ||
      die "${EXIT_DOWNLOAD}" "download failed: ${ES_ARTIFACT_ID}-${ES_VERSION}.zip is missing or corrupt ('unzip -t' failed)"
    mv -f "${dl_dir}/${ES_ARTIFACT_ID}-${ES_VERSION}.zip" "${ZIP_FILE}"
    rm -rf "${dl_dir}"
    trap - EXIT
  fi

  log "unpacking ${ZIP_FILE}"
  local unzip_dir
  unzip_dir="$(mktemp -d "${CACHE_DIR}/.unzip.XXXXXX")"
  unzip -q "${ZIP_FILE}" -d "${unzip_dir}" ||
    { rm -rf "${unzip_dir}"; die "${EXIT_DOWNLOAD}" "could not unzip ${ZIP_FILE}"; }
  [[ -x "${unzip_dir}/elasticsearch-${ES_VERSION}/bin/elasticsearch" ]] ||
    { rm -rf "${unzip_dir}"; die "${EXIT_DOWNLOAD}" "${ZIP_FILE} does not contain elasticsearch-${ES_VERSION}/bin/elasticsearch"; }
  # World-readable so the unprivileged ES user can read it; nothing in here is
  # written at runtime (config, data, logs and tmp live outside).
  chmod -R a+rX,go-w "${unzip_dir}/elasticsearch-${ES_VERSION}"
  rm -rf "${ES_HOME}"
  mv "${unzip_dir}/elasticsearch-${ES_VERSION}" "${ES_HOME}"
  rm -rf "${unzip_dir}"
  exec 9>&-
}

# ---------------------------------------------------------------- process helpers

# True if $1 is a live (non-zombie) process.
alive() {
  local pid="$1" state=""
  kill -0 "${pid}" 2>/dev/null || return 1
  if [[ -r "/proc/${pid}/stat" ]]; then
    state="$(awk '{print $3}' "/proc/${pid}/stat" 2>/dev/null || true)"
  fi
  [[ "${state}" != "Z" ]]
}

# Waits up to $2 seconds for process $1 to go away; false if still alive.
wait_gone() {
  local pid="$1" deadline=$((SECONDS + $2))
  while alive "${pid}"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

read_pid() {
  local pid=""
  [[ -f "${PID_FILE}" ]] && pid="$(tr -dc '0-9' <"${PID_FILE}")"
  printf '%s' "${pid}"
}

# True if $1 is a live process that is our Elasticsearch for this port.
is_our_es() {
  local pid="$1" cmdline
  [[ -n "${pid}" ]] && alive "${pid}" || return 1
  cmdline="$(tr '\0' ' ' <"/proc/${pid}/cmdline" 2>/dev/null || true)"
  # /proc may be unavailable (non-Linux): trust the pid file then.
  [[ ! -r "/proc/${pid}/cmdline" || "${cmdline}" == *elasticsearch* ]]
}

# Prints the pid of the running ES for this port, or nothing (cleans stale pid files).
running_pid() {
  local pid
  pid="$(read_pid)"
  if [[ -n "${pid}" ]] && is_our_es "${pid}"; then
    printf '%s' "${pid}"
  elif [[ -f "${PID_FILE}" ]]; then
    rm -f "${PID_FILE}"
  fi
}

healthy() {
  curl -fsS --max-time 5 "${ES_URL}/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1
}

port_in_use() {
  local port="$1"
  if command -v ss >/dev/null 2>&1; then
    [[ -n "$(ss -Hltn "sport = :${port}" 2>/dev/null)" ]]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null
  fi
}

port_owner() {
  local port="$1"
  if command -v ss >/dev/null 2>&1; then
    ss -Hltnp "sport = :${port}" 2>/dev/null | head -n 3
  fi
}

# console.log is truncated on every start and gets everything ES prints in the
# foreground (its log lines plus JVM/launcher errors), so it is shown first;
# the cluster log may still hold an older run.
show_logs() {
  local f
  for f in "${CONSOLE_LOG}" "${ES_LOG}"; do
    if [[ -s "${f}" ]]; then
      printf -- '----- last 40 lines of %s -----\n' "${f}" >&2
      tail -n 40 "${f}" >&2
      printf -- '-----\n' >&2
      return 0
    fi
  done
  log "no log output found in ${LOGS_DIR}"
}

# ---------------------------------------------------------------- privileges

# Sets RUN_AS (array prefix that runs a command as the ES user; empty when not root).
prepare_user() {
  RUN_AS=()
  if ((EUID != 0)); then
    return 0
  fi
  if ! id -u "${ES_USER_NAME}" >/dev/null 2>&1; then
    need_cmd useradd "${EXIT_PERMISSIONS}" "running as root: needed to create the '${ES_USER_NAME}' user, because Elasticsearch refuses to run as root"
    local nologin=/usr/sbin/nologin
    [[ -x "${nologin}" ]] || nologin=/sbin/nologin
    [[ -x "${nologin}" ]] || nologin=/bin/false
    log "creating system user '${ES_USER_NAME}' (Elasticsearch refuses to run as root)"
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
      --shell "${nologin}" --comment "rightsize local Elasticsearch" "${ES_USER_NAME}" ||
      die "${EXIT_PERMISSIONS}" "could not create system user '${ES_USER_NAME}'"
  fi
  if command -v setpriv >/dev/null 2>&1; then
    RUN_AS=(setpriv "--reuid=$(id -u "${ES_USER_NAME}")" "--regid=$(id -g "${ES_USER_NAME}")" --init-groups --)
  elif command -v runuser >/dev/null 2>&1; then
    RUN_AS=(runuser -u "${ES_USER_NAME}" --)
  else
    die "${EXIT_PERMISSIONS}" "running as root but neither 'setpriv' nor 'runuser' is available to drop to user '${ES_USER_NAME}'"
  fi
}

# Dies with the first directory on the way to $1 that the ES user cannot traverse.
check_readable_by_es_user() {
  local target="$1" mode="$2" dir
  "${RUN_AS[@]}" test "${mode}" "${target}" && return 0
  dir="${target}"
  local chain=()
  while [[ "${dir}" != "/" ]]; do
    chain=("${dir}" "${chain[@]}")
    dir="$(dirname "${dir}")"
  done
  for dir in "${chain[@]}"; do
    [[ -d "${dir}" ]] || continue
    if ! "${RUN_AS[@]}" test -x "${dir}"; then
      die "${EXIT_PERMISSIONS}" "directory '${dir}' is not traversable by user '${ES_USER_NAME}' (mode $(stat -c '%A %U:%G' "${dir}")). Elasticsearch runs as '${ES_USER_NAME}' because it refuses to run as root; fix with e.g. 'chmod o+x ${dir}' or move the checkout (e.g. under /work or /tmp)"
    fi
  done
  die "${EXIT_PERMISSIONS}" "'${target}' is not accessible (test ${mode}) by user '${ES_USER_NAME}'"
}

# ---------------------------------------------------------------- config

write_config() {
  mkdir -p "${DATA_DIR}" "${LOGS_DIR}" "${CONF_DIR}" "${TMP_DIR}"
  # Fresh copy of the distribution's config each start (keystore is kept).
  local f
  for f in jvm.options log4j2.properties role_mapping.yml roles.yml users users_roles; do
    [[ -e "${ES_HOME}/config/${f}" ]] && cp -f "${ES_HOME}/config/${f}" "${CONF_DIR}/${f}"
  done
  mkdir -p "${CONF_DIR}/jvm.options.d"
  printf -- '-Xms%s\n-Xmx%s\n' "${ES_HEAP}" "${ES_HEAP}" >"${CONF_DIR}/jvm.options.d/heap.options"

  local security=""
  if [[ -d "${ES_HOME}/modules/x-pack-security" ]]; then
    security="xpack.security.enabled: false"
  fi
  cat >"${CONF_DIR}/elasticsearch.yml" <<EOF
# Generated by scripts/es.sh on every start — edits here are overwritten.
cluster.name: rightsize-local
node.name: rightsize-local-${ES_PORT}
discovery.type: single-node
network.host: 127.0.0.1
http.port: ${ES_PORT}
transport.port: ${TRANSPORT_PORT}
path.data: ${DATA_DIR}
path.logs: ${LOGS_DIR}
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
${security}
EOF
  if ((EUID == 0)); then
    chown -R "${ES_USER_NAME}:${ES_USER_NAME}" "${DATA_DIR}" "${LOGS_DIR}" "${CONF_DIR}" "${TMP_DIR}"
  fi
}

# ---------------------------------------------------------------- commands

wait_healthy() {
  local pid="$1" deadline=$((SECONDS + START_TIMEOUT_S))
  while ((SECONDS < deadline)); do
    if ! alive "${pid}"; then
      rm -f "${PID_FILE}"
      show_logs
      die "${EXIT_START_FAILED}" "Elasticsearch (pid ${pid}) exited during startup; see the log above (${LOGS_DIR})"
    fi
    if healthy; then
      return 0
    fi
    sleep 1
  done
  show_logs
  die "${EXIT_START_FAILED}" "Elasticsearch (pid ${pid}) did not reach yellow health on ${ES_URL} within ${START_TIMEOUT_S}s (RIGHTSIZE_ES_START_TIMEOUT_S); it is left running, use 'bash scripts/es.sh stop' to stop it"
}

cmd_start() {
  validate_env
  set_paths
  need_cmd curl "${EXIT_START_FAILED}" "used for health checks"
  mkdir -p "${CACHE_DIR}"
  take_run_lock

  local pid
  pid="$(running_pid)"
  if [[ -n "${pid}" ]]; then
    if ! healthy; then
      log "Elasticsearch (pid ${pid}) is starting; waiting for health"
      wait_healthy "${pid}"
    fi
    log "already running (pid ${pid})"
    printf '%s\n' "${ES_URL}"
    return 0
  fi

  local p
  for p in "${ES_PORT}" "${TRANSPORT_PORT}"; do
    if port_in_use "${p}"; then
      local owner
      owner="$(port_owner "${p}")"
      die "${EXIT_PORT_TAKEN}" "port ${p} on this machine is already in use by another process${owner:+: ${owner}}. Stop it or pick another port with RIGHTSIZE_ES_PORT (transport uses port+100)"
    fi
  done

  resolve_java
  ensure_distribution
  prepare_user
  if ((${#RUN_AS[@]} > 0)); then
    check_readable_by_es_user "${ES_HOME}/bin/elasticsearch" -r
    check_readable_by_es_user "${ES_HOME}/lib" -x
    check_readable_by_es_user "${JAVA_BIN}" -x
  fi
  write_config

  log "starting Elasticsearch ${ES_VERSION} on ${ES_URL} (java: ${ES_JAVA_HOME_RESOLVED}, heap ${ES_HEAP}${RUN_AS[*]:+, user ${ES_USER_NAME}})"
  local started=${SECONDS}
  # Detached: own session (setsid), no controlling tty, stdio to a log file,
  # lock fd closed. Clean environment so JAVA_HOME/JAVA_TOOL_OPTIONS etc. of the
  # caller do not leak in. Working dir = logs dir (gc.log, hs_err files).
  # Create the console log before the background start: chown-ing it after `&` raced with the
  # subshell's redirect creating it ("chown: cannot access …/console.log").
  : >"${CONSOLE_LOG}"
  if ((EUID == 0)); then
    chown "${ES_USER_NAME}:${ES_USER_NAME}" "${CONSOLE_LOG}"
  fi
  (
    cd "${LOGS_DIR}"
    exec setsid "${RUN_AS[@]}" env -i \
      PATH="/usr/local/bin:/usr/bin:/bin" \
      HOME="${TMP_DIR}" \
      LANG="C.UTF-8" \
      ES_JAVA_HOME="${ES_JAVA_HOME_RESOLVED}" \
      ES_PATH_CONF="${CONF_DIR}" \
      ES_TMPDIR="${TMP_DIR}" \
      "${ES_HOME}/bin/elasticsearch"
  ) </dev/null >"${CONSOLE_LOG}" 2>&1 8>&- 9>&- &
  pid=$!
  printf '%s\n' "${pid}" >"${PID_FILE}"

  wait_healthy "${pid}"
  log "Elasticsearch is up (pid ${pid}) after $((SECONDS - started))s"
  printf '%s\n' "${ES_URL}"
}

cmd_stop() {
  validate_env
  set_paths
  [[ -d "${CACHE_DIR}" ]] || { log "not running on port ${ES_PORT}"; return 0; }
  take_run_lock
  local pid
  pid="$(running_pid)"
  if [[ -z "${pid}" ]]; then
    log "not running on port ${ES_PORT}"
    return 0
  fi
  log "stopping Elasticsearch (pid ${pid}) on port ${ES_PORT}"
  # The launcher is the session/group leader; TERM lets it shut the server
  # JVM down gracefully. The whole group gets KILL after the deadline.
  kill -TERM "${pid}" 2>/dev/null || true
  if ! wait_gone "${pid}" "${STOP_TIMEOUT_S}"; then
    log "still running after ${STOP_TIMEOUT_S}s (RIGHTSIZE_ES_STOP_TIMEOUT_S); sending KILL"
    kill -KILL -- "-${pid}" 2>/dev/null || kill -KILL "${pid}" 2>/dev/null || true
    wait_gone "${pid}" 15 ||
      die "${EXIT_STOP_FAILED}" "could not stop Elasticsearch (pid ${pid}) even with KILL"
  fi
  # Make sure no server JVM of that group outlives its launcher.
  kill -KILL -- "-${pid}" 2>/dev/null || true
  rm -f "${PID_FILE}"
  log "stopped"
}

cmd_status() {
  validate_env
  set_paths
  local pid health
  pid="$(running_pid)"
  if [[ -z "${pid}" ]]; then
    printf 'stopped (port %s)\n' "${ES_PORT}"
    if port_in_use "${ES_PORT}"; then
      printf 'note: port %s is in use by another process\n' "${ES_PORT}"
    fi
    return "${EXIT_STOPPED}"
  fi
  health="$(curl -sS --max-time 5 "${ES_URL}/_cluster/health" 2>&1 || true)"
  printf 'running (pid %s) %s\n' "${pid}" "${ES_URL}"
  printf 'health: %s\n' "${health}"
}

main() {
  case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  url)
    validate_env
    set_paths
    printf '%s\n' "${ES_URL}"
    ;;
  -h | --help | help) usage ;;
  *)
    usage >&2
    exit "${EXIT_USAGE}"
    ;;
  esac
}

main "$@"
