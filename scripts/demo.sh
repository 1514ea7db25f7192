#!/usr/bin/env bash
# `npm run demo`: rightsize's main job on local defaults.
#   1. npm dependencies and the build,
#   2. the local Docker engine (real containers) and Elasticsearch (scripts/docker-engine.sh, scripts/es.sh),
#   3. an emulated Jenkins-on-Mesos cluster running the bundled `demo` scenario (builds run as real
#      containers; without a Docker engine, with modelled usage),
#   4. `rightsize collect` against the engine, the Mesos masters and agents and Jenkins, indexing
#      into Elasticsearch until you press Ctrl-C,
#   5. every RIGHTSIZE_DEMO_ANALYZE_SECONDS (default 120) `rightsize analyze --labels`: the
#      recommendations table (written to Elasticsearch too), then a label plan (`--plan`). Each job needs 5
#      finished builds before it gets a recommendation: about 10 minutes with the demo scenario.
#   6. `rightsize serve` on port RIGHTSIZE_DEMO_API_PORT (default 8080): GET /api/v1/jobs/<job>.
# Set RIGHTSIZE_DEMO_SECONDS=N to stop by itself after N seconds (after one last analysis).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bash scripts/ensure-deps.sh

usage=docker
if ! bash scripts/docker-engine.sh start >&2; then
  echo "demo: no Docker engine could be started; the emulated builds will use modelled usage" >&2
  usage=model
fi
bash scripts/es.sh start >&2
set -a
eval "$(bash scripts/docker-engine.sh env 2>/dev/null || true)"
set +a

state="$root/.cache/demo"
mkdir -p "$state"
emulator_pid=""
collector_pid=""
serve_pid=""
cleanup() {
  [ -n "$serve_pid" ] && kill -TERM "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null || true
  [ -n "$collector_pid" ] && kill -TERM "$collector_pid" 2>/dev/null && wait "$collector_pid" 2>/dev/null || true
  [ -n "$emulator_pid" ] && kill -TERM "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

node bin/rightsize.js emulate --scenario demo --usage "$usage" >"$state/emulator.out" 2>"$state/emulator.log" &
emulator_pid=$!
for _ in $(seq 1 120); do
  [ "$(wc -l <"$state/emulator.out")" -ge 1 ] && break
  kill -0 "$emulator_pid" 2>/dev/null || { echo "demo: the emulator exited:" >&2; tail -20 "$state/emulator.log" >&2; exit 1; }
  sleep 0.5
done
[ -s "$state/emulator.out" ] || { echo "demo: the emulator did not report its URLs within 60 s" >&2; tail -20 "$state/emulator.log" >&2; exit 1; }

# Turn the emulator's first line into a rightsize config.
node -e '
const urls = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8").split("\n")[0]);
const y = (a) => "[" + a.map((s) => JSON.stringify(s)).join(", ") + "]";
const docker = process.env.DOCKER_HOST ? y([process.env.DOCKER_HOST]) : "[]";
process.stdout.write(`# written by scripts/demo.sh from the emulator URLs (mode: ${urls.mode})
elasticsearch:
  url: http://127.0.0.1:9200
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
analysis:
  # The demo history is minutes long. In production a decrease of more than 25 % needs
  # 10 builds over 2 days (the default); here the 5 builds any recommendation needs suffice.
  decreaseEvidence:
    minBuilds: 5
    minDays: 0
`);
process.stderr.write(`emulated cluster (${urls.mode}): masters ${urls.masters.join(" ")}, jenkins ${urls.jenkins.url}\n`);
' "$state/emulator.out" >"$state/rightsize.yaml"
RIGHTSIZE_JENKINS_TOKEN=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8").split("\n")[0]).jenkins.token)' "$state/emulator.out")
export RIGHTSIZE_JENKINS_TOKEN

cat >&2 <<EOT
demo: collecting into http://127.0.0.1:9200 (indices rightsize-*); config: $state/rightsize.yaml
      look:  curl -s 'http://127.0.0.1:9200/_cat/indices/rightsize-*?v'
      stop:  Ctrl-C
EOT
node bin/rightsize.js collect --config "$state/rightsize.yaml" &
collector_pid=$!
# The API on the recommendations the analyses below write (optional: a taken port only warns).
api_port=${RIGHTSIZE_DEMO_API_PORT:-8080}
node bin/rightsize.js serve --config "$state/rightsize.yaml" --port "$api_port" --refresh 10000 >"$state/serve.out" 2>"$state/serve.log" &
serve_pid=$!
echo "demo: the API: curl -s localhost:$api_port/api/v1/jobs/api-tests (answers once a job has 5 finished builds; log $state/serve.log)" >&2
analyze() {
  echo "demo: rightsize analyze --labels at $(date -u +%H:%M:%SZ) (recommendations by weekly savings, written to Elasticsearch)" >&2
  node bin/rightsize.js analyze --config "$state/rightsize.yaml" --labels || echo "demo: analyze failed (above); collection goes on" >&2
  echo "demo: rightsize analyze --dry-run --plan (a label plan as mesos-plugin JCasC YAML)" >&2
  node bin/rightsize.js analyze --config "$state/rightsize.yaml" --dry-run --plan || true
}
every=${RIGHTSIZE_DEMO_ANALYZE_SECONDS:-120}
end=""
[ -n "${RIGHTSIZE_DEMO_SECONDS:-}" ] && end=$(($(date +%s) + RIGHTSIZE_DEMO_SECONDS))
while kill -0 "$collector_pid" 2>/dev/null; do
  nap=$every
  if [ -n "$end" ]; then
    left=$((end - $(date +%s)))
    [ "$left" -lt "$nap" ] && nap=$left
  fi
  [ "$nap" -gt 0 ] && { sleep "$nap" & wait $! || true; }
  kill -0 "$collector_pid" 2>/dev/null || break
  analyze
  if [ -n "$end" ] && [ "$(date +%s)" -ge "$end" ]; then
    exit 0
  fi
done
wait "$collector_pid"
