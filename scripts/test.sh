#!/usr/bin/env bash
# `npm test`: everything CI checks, on a fresh clone or a dev machine.
#   1. npm dependencies and the build,
#   2. typecheck and lint,
#   3. the real Docker engine (scripts/docker-engine.sh), the real Elasticsearch (scripts/es.sh) and
#      Debian's Chromium for the web UI test (scripts/chromium.sh),
#   4. every test tier (unit, conformance, integration) with vitest, then the fault cases that fit
#      the CI budget (docs/faults.md). Extra arguments go to vitest.
# Under CI (CI=true) the engine and Elasticsearch it started are stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
echo "== typecheck and lint" >&2
npx tsc -p tsconfig.json --noEmit
npx eslint .
echo "== real Docker engine, Elasticsearch and Chromium" >&2
# Under CI, whatever was started is stopped at the end, also when a start fails half-way.
if [ "${CI:-}" = "true" ]; then
  trap 'bash scripts/es.sh stop >&2 || true; bash scripts/docker-engine.sh stop >&2 || true' EXIT
fi
bash scripts/docker-engine.sh start >&2
bash scripts/es.sh start >&2
RIGHTSIZE_CHROMIUM=$(bash scripts/chromium.sh)
export RIGHTSIZE_CHROMIUM
CI_FAULT_CASES=(test/faults/mesos-leader-killed.test.ts test/faults/fresh-store.test.ts test/faults/docker-restart.test.ts test/faults/probes.test.ts)
if [ "$#" -gt 0 ]; then
  npx vitest run "$@"
else
  # One tier after the other: the unit tier's CPU-heavy tests (replay, property tests) would
  # otherwise compete with the integration tier's CPU measurements of real containers.
  echo "== unit tests" >&2
  npx vitest run --project unit
  echo "== conformance tests (real captures and traces in ../shared)" >&2
  if [ -d "${RIGHTSIZE_REAL_CAPTURES:-../shared/real-captures}" ] || [ "${CI:-}" = "true" ]; then
    npx vitest run --project conformance
  else
    echo "conformance suite skipped: ${RIGHTSIZE_REAL_CAPTURES:-../shared/real-captures} is absent (it ships beside the project, not in it)" >&2
  fi
  echo "== integration tests (real Elasticsearch, real dockerd)" >&2
  npx vitest run --project integration
  # The fault cases that fit CI's time budget (about 2 min together, docs/faults.md "CI"); the
  # others (Elasticsearch killed for 2 min, collect SIGKILLed, Jenkins faults) are `npm run test:faults`.
  echo "== fault cases in CI (real processes of the built CLI: ${CI_FAULT_CASES[*]})" >&2
  npx vitest run --project faults "${CI_FAULT_CASES[@]}"
fi
