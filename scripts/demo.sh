#!/usr/bin/env bash
# The main job on the embedded default: starts a local Kafka, plans and applies examples/kafka, changes a topic
# out of band, shows the drift, restores it, exports the live cluster back to YAML, and shows masked samples
# and the audit trail.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
source scripts/setup.sh

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
landscape() { node "$ROOT/bin/landscape.ts" "$@"; }

step "Starting a local Kafka broker (KRaft, SASL/SCRAM, ACL authorizer on)"
bash scripts/services/kafka.sh start
[[ ${KEEP_RUNNING:-0} == 1 ]] || trap 'bash scripts/services/kafka.sh stop >/dev/null 2>&1 || true' EXIT

export KAFKA_PASSWORD=admin-secret              # the Environment's secretRef: { provider: env, name: KAFKA_PASSWORD }
export PAYMENTS_APP_PASSWORD=payments-demo-pw   # the payments-app SCRAM user's password reference
export LANDSCAPE_STATE_DIR=${LANDSCAPE_STATE_DIR:-$ROOT/.landscape/demo}
rm -rf "$LANDSCAPE_STATE_DIR"
WORK=$(mktemp -d)

step "landscape validate examples/kafka"
landscape validate examples/kafka

step "landscape plan examples/kafka --env local --out plan.json"
set +e; landscape plan examples/kafka --env local --out "$WORK/plan.json"; code=$?; set -e
echo "(exit code $code: 2 means there are changes)"

step "landscape apply plan.json"
landscape apply "$WORK/plan.json"

step "landscape plan again: nothing to do"
landscape plan examples/kafka --env local

step "Someone changes payments.orders on the broker directly"
node scripts/demo/out-of-band-change.ts payments.orders retention.ms 3600000

step "landscape drift --env local"
set +e; landscape drift examples/kafka --env local; code=$?; set -e
echo "(exit code $code: 2 means drift)"

step "landscape apply examples/kafka --env local --auto-approve: restore the declared state"
landscape apply examples/kafka --env local --auto-approve

step "landscape drift again"
landscape drift examples/kafka --env local

step "landscape export: the live cluster as YAML, which plans to no changes"
landscape export examples/kafka --env local --out "$WORK/exported"
ls "$WORK/exported"
landscape plan "$WORK/exported" --env local

step "An app writes card payments; landscape peek shows them masked by the DataPolicy payments-pii"
node scripts/demo/produce.ts payments.orders \
  '{"id":1,"customer":{"email":"ann@example.com","name":"Ann"},"card":{"number":"4111111111111111"}}' \
  '{"id":2,"customer":{"email":"bob@example.com","name":"Bob"},"card":{"number":"5500000000000004"}}'
landscape peek examples/kafka --env local --topic payments.orders --count 2

step "Audit records since the config was applied, as the AuditSink topic platform.audit holds them"
landscape peek examples/kafka --env local --topic platform.audit --count 5

step "landscape audit: the same records, as the state directory keeps them"
landscape audit --env local --limit 6

step "Done"
echo "State (plans, applied commit, audit records): $LANDSCAPE_STATE_DIR"
