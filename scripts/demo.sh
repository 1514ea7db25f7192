#!/usr/bin/env bash
# `npm run demo`: rightsize's whole loop on one machine, in about five minutes.
#   1. npm dependencies and the build (scripts/ensure-deps.sh),
#   2. Elasticsearch (scripts/es.sh; the first run downloads it, later runs reuse .cache/) and a
#      Docker engine for real build containers ($DOCKER_HOST, else scripts/docker-engine.sh;
#      without one the emulated builds use modelled usage, and it says so),
#   3. a local SMTP server that keeps every mail under .cache/demo/mail/ (scripts/demo-mail.ts),
#   4. an emulated Jenkins-on-Mesos cluster running the bundled `demo` scenario
#      (scenarios/demo.yaml: short builds, an OOM-prone job, a label whose queue backs up),
#      asking the rightsize API for each build's size when the emulator supports --ask-rightsize,
#   5. `rightsize collect` into Elasticsearch (index prefix rightsize-demo),
#   6. `rightsize serve` (API, web UI and the alert engine, mailing the local SMTP server) on
#      RIGHTSIZE_DEMO_API_PORT (8080), with the demo's own short-history alert rules,
#   7. every RIGHTSIZE_DEMO_ANALYZE_SECONDS (30; 15 until the first recommendation shows)
#      `rightsize analyze --labels` and a label plan.
# The terminal gets one human line per event; the JSON logs go to .cache/demo/*.log.
# Ctrl-C (or RIGHTSIZE_DEMO_SECONDS=N) stops everything the demo started: its processes, the
# emulator's containers, Elasticsearch and the Docker engine if (and only if) it started them.
#
# Environment: RIGHTSIZE_DEMO_ES_PORT (9200), RIGHTSIZE_DEMO_API_PORT (8080),
# RIGHTSIZE_DEMO_SMTP_PORT (0: any free port), RIGHTSIZE_DEMO_USAGE=model (no Docker at all), RIGHTSIZE_DEMO_ANALYZE_SECONDS (30),
# RIGHTSIZE_DEMO_SECONDS (run until Ctrl-C), RIGHTSIZE_DEMO_KEEP_DATA=1 (keep the previous run's
# rightsize-demo-* indices), RIGHTSIZE_ES_CACHE_DIR / RIGHTSIZE_ES_HEAP (scripts/es.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
state="$root/.cache/demo"
mkdir -p "$state"
t0=$(date +%s)
export RIGHTSIZE_DEMO_T0=$t0
say() { printf 'demo [%4ss] %s\n' "$(($(date +%s) - t0))" "$*"; }
rel() { printf '%s' "${1#"$root"/}"; }

bash scripts/ensure-deps.sh

es_port=${RIGHTSIZE_DEMO_ES_PORT:-9200}
es_url="http://127.0.0.1:$es_port"
api_port=${RIGHTSIZE_DEMO_API_PORT:-8080}
api_url="http://127.0.0.1:$api_port"
prefix=rightsize-demo
export RIGHTSIZE_ES_PORT=$es_port

# What this run started (and so stops); filled in as it goes.
es_started=""
docker_started=""
pids=() # "name:pid", stopped in reverse order
stopping=""
stop_pid() { # name pid: TERM, wait up to 30 s, then KILL
  local name=$1 pid=$2 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "$name (pid $pid) did not stop within 30 s: killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  [ -n "$stopping" ] && return
  stopping=1
  trap '' INT TERM
  say "stopping what the demo started"
  local i entry
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    entry=${pids[$i]}
    stop_pid "${entry%%:*}" "${entry##*:}"
  done
  [ -n "${docker_cli_host:-}" ] && check_containers
  if [ -n "$es_started" ]; then
    bash scripts/es.sh stop >>"$state/es.log" 2>&1 && say "Elasticsearch on $es_url stopped" || say "could not stop Elasticsearch (see $(rel "$state/es.log"))"
  fi
  if [ -n "$docker_started" ]; then
    bash scripts/docker-engine.sh stop >>"$state/docker-engine.log" 2>&1 && say "the Docker engine the demo started is stopped" || say "could not stop the Docker engine (see $(rel "$state/docker-engine.log"))"
  fi
  say "done; mails in $(rel "$state/mail"), logs in $(rel "$state")/*.log"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Containers labelled by an emulator (io.rightsize.emulator) that did not exist before this run
# and are still there after the emulator stopped: its cleanup failed. Reported, not removed (on a
# shared engine a newer one may belong to another emulator).
emulator_containers() { DOCKER_HOST=$docker_cli_host docker ps -aq --no-trunc --filter label=io.rightsize.emulator 2>/dev/null | sort; }
check_containers() {
  command -v docker >/dev/null || return 0
  local left
  left=$(comm -13 "$state/containers-before.txt" <(emulator_containers) | wc -l)
  if [ "$left" -eq 0 ]; then say "the emulator removed its build containers (none left on $docker_cli_host)"; else say "warning: $left emulator container(s) created during the demo are still on $docker_cli_host (docker ps -a --filter label=io.rightsize.emulator)"; fi
}

# --- Elasticsearch
if bash scripts/es.sh status >/dev/null 2>&1; then
  say "Elasticsearch already runs on $es_url: using it (it stays running afterwards)"
else
  say "starting Elasticsearch on $es_url (the first run downloads it; log $(rel "$state/es.log"))"
  es_started=1
  # es.sh's own lines (and the download's progress bar) on the terminal.
  bash scripts/es.sh start >>"$state/es.log" || { say "Elasticsearch did not start (above; $(rel "$state/es.log"))"; exit 1; }
  say "Elasticsearch is up on $es_url"
fi

# --- Docker engine
usage=docker
docker_cli_host=""
if [ "${RIGHTSIZE_DEMO_USAGE:-docker}" = model ]; then
  usage=model
  say "RIGHTSIZE_DEMO_USAGE=model: no containers, the emulator models the builds' usage"
elif [ -n "${DOCKER_HOST:-}" ]; then
  say "Docker engine: $DOCKER_HOST (from DOCKER_HOST; not managed by the demo)"
elif bash scripts/docker-engine.sh status >/dev/null 2>&1; then
  eval "$(bash scripts/docker-engine.sh env)"
  export DOCKER_HOST
  say "Docker engine: the project engine at $DOCKER_HOST is already running (it stays running afterwards)"
else
  say "starting the project Docker engine (log $(rel "$state/docker-engine.log"))"
  if bash scripts/docker-engine.sh start >>"$state/docker-engine.log" 2>&1; then
    docker_started=1
    eval "$(bash scripts/docker-engine.sh env)"
    export DOCKER_HOST
    say "Docker engine: $DOCKER_HOST (started by the demo, stopped at the end)"
  else
    say "no Docker engine could be started (see $(rel "$state/docker-engine.log")): the emulated builds use modelled usage"
    usage=model
  fi
fi
if [ "$usage" = docker ]; then
  docker_cli_host=$DOCKER_HOST
  emulator_containers >"$state/containers-before.txt" || : >"$state/containers-before.txt"
fi

# --- a fresh demo history (the previous run's emulator is gone; its builds would mislead)
if [ -z "${RIGHTSIZE_DEMO_KEEP_DATA:-}" ]; then
  old=$(curl -sf "$es_url/_cat/indices/$prefix-*?h=index" | tr -s ' \n' ',' | sed 's/,$//' || true)
  if [ -n "$old" ]; then
    curl -sf -X DELETE "$es_url/$old" >/dev/null && say "removed the previous demo run's indices ($prefix-*; RIGHTSIZE_DEMO_KEEP_DATA=1 keeps them)"
  fi
fi
rm -rf "$state/collect-state" "$state/mail"
mkdir -p "$state/mail"
rm -f "$state"/*.log.prev
for f in "$state"/*.log; do [ -e "$f" ] && [ "$f" != "$state/es.log" ] && [ "$f" != "$state/docker-engine.log" ] && mv "$f" "$f.prev"; done

# --- the mail sink and the emulated cluster, started side by side
rm -f "$state/smtp.port"
node --import tsx scripts/demo-mail.ts --dir "$state/mail" --port "${RIGHTSIZE_DEMO_SMTP_PORT:-0}" --port-file "$state/smtp.port" 2>"$state/mail.log" &
pids+=("mail server:$!")
# --- the emulated cluster
ask=()
if node bin/rightsize.js emulate --help 2>/dev/null | grep -q -- '--ask-rightsize'; then
  ask=(--ask-rightsize "$api_url")
fi
: >"$state/emulator.out"
node bin/rightsize.js emulate --scenario demo --usage "$usage" "${ask[@]}" >"$state/emulator.out" 2>"$state/emulator.log" &
emulator_pid=$!
pids+=("emulator:$emulator_pid")
for _ in $(seq 1 120); do
  [ "$(wc -l <"$state/emulator.out")" -ge 1 ] && break
  kill -0 "$emulator_pid" 2>/dev/null || { say "the emulator exited:"; tail -20 "$state/emulator.log" >&2; exit 1; }
  sleep 0.5
done
[ -s "$state/emulator.out" ] || { say "the emulator did not report its URLs within 60 s"; tail -20 "$state/emulator.log" >&2; exit 1; }
for _ in $(seq 1 60); do [ -s "$state/smtp.port" ] && break; sleep 0.25; done
[ -s "$state/smtp.port" ] || { say "the mail server did not start; see $(rel "$state/mail.log")"; exit 1; }
smtp_port=$(tr -dc 0-9 <"$state/smtp.port")
say "mail server: smtp://127.0.0.1:$smtp_port, every mail kept in $(rel "$state/mail")/ (.eml and .html)"
if grep -q 'warning:' "$state/emulator.log"; then say "emulator: $(grep -m1 'warning:' "$state/emulator.log" | sed 's/^warning: //')"; fi

# The emulator's first line → the demo's config (.cache/demo/rightsize.yaml).
DEMO_ES_URL=$es_url DEMO_PREFIX=$prefix DEMO_API_URL=$api_url DEMO_API_PORT=$api_port DEMO_SMTP_PORT=$smtp_port DEMO_STATE=$state \
  node -e '
const fs = require("fs");
const urls = JSON.parse(fs.readFileSync(process.argv[1], "utf8").split("\n")[0]);
const e = process.env;
const y = (a) => "[" + a.map((s) => JSON.stringify(s)).join(", ") + "]";
const docker = e.DOCKER_HOST && urls.mode === "docker" ? y([e.DOCKER_HOST]) : "[]";
process.stdout.write(`# written by scripts/demo.sh from the emulator URLs (mode: ${urls.mode}). Demo-only settings are marked.
elasticsearch:
  url: ${e.DEMO_ES_URL}
  indexPrefix: ${e.DEMO_PREFIX}
  replicas: 0
docker:
  hosts: ${docker}
  intervalMs: 5000
mesos:
  cluster: demo
  masters: ${y(urls.masters)}
  intervalMs: 5000
jenkins:
  url: ${JSON.stringify(urls.jenkins.url)}
  username: ${JSON.stringify(urls.jenkins.user)}
  intervalMs: 5000
  timeoutMs: 4000
collect:
  stateDir: ${JSON.stringify(e.DEMO_STATE + "/collect-state")}
  metricsPort: 0
analysis:
  # DEMO ONLY (short history): the demo history is minutes long. In production a job needs 5
  # usable builds for a recommendation, and a decrease of more than 25 % needs 10 builds over
  # 2 days (the defaults); here 3 builds suffice for both, so the first recommendations appear
  # within the first minutes of the demo.
  minBuilds: 3
  decreaseEvidence:
    minBuilds: 3
    minDays: 0
api:
  port: ${e.DEMO_API_PORT}
  refreshIntervalMs: 5000
alerts:
  # DEMO ONLY: rules with minute-long windows and short "for", evaluated every 15 s, so that
  # they fire within the first minutes. The production defaults are in docs/alerts.md.
  defaultInterval: 15s
  defaultReceivers: [demo-mail]
  uiUrl: ${e.DEMO_API_URL}
  rules:
    - id: demo-job-oom
      name: OOM-killed builds (demo)
      kind: job-oom
      window: 15m
      threshold: 1
      severity: warning
      repeatInterval: 1h
    - id: demo-queue-wait
      name: p95 queue wait above 1 min (demo; the default rule waits for 10 min during 5 min)
      kind: threshold
      dataset: jenkins.queue.label
      field: queue.wait_ms.p95
      aggregation: avg
      comparator: ">"
      threshold: 60000
      window: 1m
      groupBy: jenkins.label
      for: 30s
      explain: memory
      repeatInterval: 1h
    - id: demo-job-waste
      name: Reserved but unused CPU (demo; scaled from 15 min to a week)
      kind: job-waste
      window: 15m
      threshold: 50
      for: 1m
      repeatInterval: 1h
receivers:
  demo-mail:
    email:
      host: 127.0.0.1
      port: ${e.DEMO_SMTP_PORT}
      from: "rightsize demo <rightsize@demo.invalid>"
      to: ["platform-team@demo.invalid"]
    retryBaseMs: 1000
    retryMaxMs: 10000
`);
process.stderr.write(`emulated cluster (${urls.mode === "docker" ? "builds run as real containers" : "modelled usage, no containers"}): Mesos masters ${urls.masters.join(" ")}, Jenkins ${urls.jenkins.url}\n`);
' "$state/emulator.out" >"$state/rightsize.yaml" 2>"$state/config.msg"
say "$(cat "$state/config.msg")"
[ ${#ask[@]} -gt 0 ] && say "closed loop: the emulated Jenkins asks $api_url for each build's size (--ask-rightsize)"
RIGHTSIZE_JENKINS_TOKEN=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8").split("\n")[0]).jenkins.token)' "$state/emulator.out")
export RIGHTSIZE_JENKINS_TOKEN
config="$state/rightsize.yaml"
say "config: $(rel "$config")"

# --- collect and serve
node bin/rightsize.js collect --config "$config" >"$state/collect.log" 2>&1 &
collector_pid=$!
pids+=("collect:$collector_pid")
say "collecting into $es_url (indices $prefix-*): curl -s '$es_url/_cat/indices/$prefix-*?v'"
node bin/rightsize.js serve --config "$config" >"$state/serve.log" 2>&1 &
pids+=("serve:$!")
say "web UI and API: $api_url/  (jobs: $api_url/api/v1/jobs, metrics: $api_url/metrics); alert rules every 15 s, mails to smtp://127.0.0.1:$smtp_port"
for _ in $(seq 1 40); do grep -q 'serving /metrics' "$state/collect.log" 2>/dev/null && break; sleep 0.25; done
collect_metrics=$(grep -m1 'serving /metrics' "$state/collect.log" 2>/dev/null | sed -n 's/.*"address":"\([^"]*\)".*/\1/p' || true)
[ -n "$collect_metrics" ] && say "collector metrics: $collect_metrics/metrics (docs/operations.md explains every series)"
say "JSON logs: $(rel "$state")/{emulator,collect,serve,analyze,mail}.log    stop: Ctrl-C"

# The top job recommendations in Elasticsearch (what the UI shows after its next reload), a few
# lines; the first line of its output is the key of the top job with enough builds (or empty).
top_recommendations() {
  { curl -sf "$es_url/$prefix-recommendations/_search?size=500&q=workload.kind:jenkins.job" || echo '{}'; } | node -e '
const hits = JSON.parse(require("fs").readFileSync(0, "utf8")).hits?.hits ?? [];
const all = hits.map((h) => h._source);
const ready = all.filter((d) => !(d.reasons ?? []).includes("few_builds"));
const gib = (b) => (b / 2 ** 30).toFixed(2) + " GiB";
const c = (x) => (x === undefined ? "?" : String(+x.toFixed(2)));
const sav = (d) => d.savings?.cpu_core_hours_per_week ?? 0;
ready.sort((a, b) => sav(b) - sav(a) || (b.savings?.memory_gib_hours_per_week ?? 0) - (a.savings?.memory_gib_hours_per_week ?? 0));
console.log(ready[0]?.workload.key ?? "");
for (const d of ready.slice(0, 5)) {
  const cur = d.current ?? {}, rec = d.recommended ?? {}, s = d.savings ?? {};
  const saves = [s.cpu_core_hours_per_week > 0 ? `${s.cpu_core_hours_per_week.toFixed(1)} core-h` : "", s.memory_gib_hours_per_week > 0 ? `${s.memory_gib_hours_per_week.toFixed(1)} GiB-h` : ""].filter(Boolean).join(" + ");
  const why = (d.reasons ?? []).slice(0, 3).join(", ");
  console.log(`       ${d.workload.key.padEnd(19)} cpu ${c(cur.cpu_cores).padStart(4)} → ${c(rec.cpu_cores).padEnd(5)} mem ${cur.memory_bytes ? gib(cur.memory_bytes) : "?"} → ${rec.memory_bytes ? gib(rec.memory_bytes) : "?"}  ${d.basis?.builds ?? "?"} builds${saves ? `, saves ${saves} a week` : ""}${why ? ` (${why})` : ""}`);
}
if (ready.length > 5) console.log(`       … and ${ready.length - 5} more`);
const waiting = all.length - ready.length;
if (waiting > 0 || ready.length === 0) console.log(`       ${waiting > 0 ? `${waiting} job(s)` : "every job"} still short of the 3 finished builds a demo recommendation needs`);
'
}

ui_announced=""
analyze() {
  if ! node bin/rightsize.js analyze --config "$config" --labels --plan --plan-out "$state/label-plan.yaml" >>"$state/analyze.log" 2>&1; then
    say "analyze failed (see $(rel "$state/analyze.log")); collection goes on"
    return 0
  fi
  local out first
  out=$(top_recommendations) || { say "analysis written, but its recommendations could not be read back"; return 0; }
  first=$(printf '%s\n' "$out" | head -1)
  say "analysis: top recommendations by weekly savings (label plan: $(rel "$state/label-plan.yaml"))"
  printf '%s\n' "$out" | tail -n +2
  if [ -z "$ui_announced" ] && [ -n "$first" ]; then
    # serve reloads every 5 s: wait until it serves the recommendation, then say so.
    local key=$first
    for _ in $(seq 1 40); do
      # GET /api/v1/jobs/<job> answers the recommendation's figures at the top level
      # (cpu_cores, memory_bytes, reasons; docs/api.md): shown once it has them without few_builds.
      if curl -sf "$api_url/api/v1/jobs/$(node -p 'process.argv[1].split("/").map(encodeURIComponent).join("/")' "$key")" 2>/dev/null | node -e '
const d = JSON.parse(require("fs").readFileSync(0, "utf8"));
process.exit(typeof d.cpu_cores === "number" && !(d.reasons ?? []).includes("few_builds") ? 0 : 1);' 2>/dev/null; then
        ui_announced=1
        say "the web UI shows recommendations: $api_url/"
        break
      fi
      sleep 0.5
    done
  fi
}

every=${RIGHTSIZE_DEMO_ANALYZE_SECONDS:-30}
end=""
[ -n "${RIGHTSIZE_DEMO_SECONDS:-}" ] && end=$((t0 + RIGHTSIZE_DEMO_SECONDS))
while kill -0 "$collector_pid" 2>/dev/null; do
  nap=$every
  # Until the UI shows the first recommendation, analyse at least every 15 s.
  [ -z "$ui_announced" ] && [ "$nap" -gt 15 ] && nap=15
  if [ -n "$end" ]; then
    left=$((end - $(date +%s)))
    [ "$left" -lt "$nap" ] && nap=$left
  fi
  [ "$nap" -gt 0 ] && { sleep "$nap" & wait $! || true; }
  kill -0 "$collector_pid" 2>/dev/null || { say "collect exited; see $(rel "$state/collect.log")"; break; }
  analyze
  if [ -n "$end" ] && [ "$(date +%s)" -ge "$end" ]; then
    say "RIGHTSIZE_DEMO_SECONDS=$RIGHTSIZE_DEMO_SECONDS reached"
    exit 0
  fi
done
exit 1
