#!/usr/bin/env bash
# Runs every test: type check, lint, layer check, cfn-lint on the synthesized stack (scripts/cfn-lint.sh), then
# unit, golden, property, integration and infra tests against real services on loopback (Kafka + Connect, schema registry, kube-apiserver + etcd, moto, DynamoDB Local, git
# smart HTTP, and the authenticating Kafka listeners, token issuer and EKS token webhook), all installed and started by the project's own scripts; then scans everything the suite printed,
# stored and left behind for the secret values it used (test/support/scan/). Prints the runner's summary and a
# closing "N passed, N failed" line.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
source scripts/setup.sh || exit 1
t0=$SECONDS

SERVICES=${LANDSCAPE_TEST_SERVICES:-kafka connect schema-registry k8s moto ddb git auth-kafka eks}
if [[ ${LANDSCAPE_SKIP_SERVICES:-0} != 1 ]]; then
  # shellcheck disable=SC2086
  bash scripts/services/up.sh $SERVICES || { echo "starting test services failed" >&2; exit 1; }
  trap 'bash scripts/services/down.sh >/dev/null 2>&1 || true' EXIT
fi
# shellcheck disable=SC1091
[[ -f ${TI_RUN:-/tmp/test-infra}/env.sh ]] && source "${TI_RUN:-/tmp/test-infra}/env.sh"
echo "services ready after $((SECONDS - t0))s"

status=0
echo "== typecheck"; npx tsc --noEmit -p tsconfig.json || status=1
echo "== lint"; npx biome ci . || status=1
echo "== layers"; node scripts/check-layers.mjs . --fail --quiet || status=1
echo "== cfn-lint"; bash scripts/cfn-lint.sh || status=1

echo "== tests"
report=$(mktemp)
# Everything the suite prints, stores and leaves in its temporary directory is kept for the secret scan below.
scan=$(mktemp -d)
mkdir -p "$scan/tmp"
LANDSCAPE_SCAN_DIR=$scan TMPDIR=$scan/tmp NODE_OPTIONS="--import=$ROOT/test/support/scan/tap-output.ts ${NODE_OPTIONS:-}" \
  npx vitest run --reporter=default --reporter=json --outputFile.json="$report" || status=1
echo "== secret scan"
node test/support/scan/scan-suite.ts "$scan" || status=1
rm -rf "$scan"
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + (r.numTodoTests ?? 0);
  console.log(`\ntests: ${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ""}`);
' "$report" 2>/dev/null || echo "tests: 0 passed, 1 failed"
echo "total time $((SECONDS - t0))s"
exit $status
