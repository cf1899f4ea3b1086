#!/usr/bin/env bash
# Lints the synthesized CloudFormation template with cfn-lint (PyPI), pinned, installed once into
# .tools/cfn-lint-<version>/ (a warm run skips the install). Exits non-zero on any error or warning; the
# rules that are ignored, each with its reason, are in .cfnlintrc.
#
#   bash scripts/cfn-lint.sh               synthesizes the stack twice (a fresh install with a new VPC, and an
#                                          imported VPC with every option on) and lints both templates
#   bash scripts/cfn-lint.sh FILE...       lints the given templates instead
#
# Synthesis uses `-c code=inline`: bundled and inline functions differ only in where the code is (an S3 asset or
# a ZipFile) and the handler name, which no cfn-lint rule needs the bundle for; esbuild stays out of the run.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
source scripts/setup.sh
# The CDK CLI sends usage telemetry unless told not to (docs/deploy.md, "CDK CLI telemetry").
export CDK_DISABLE_CLI_TELEMETRY=true

CFN_LINT_VERSION=${CFN_LINT_VERSION:-1.58.0}
VENV=$ROOT/.tools/cfn-lint-$CFN_LINT_VERSION
# Partitions and regions the template is checked against (resource types and runtimes available there).
REGIONS=(us-east-1 eu-west-1 eu-central-1 ap-southeast-2)

if [[ ! -f $VENV/.complete || ! -x $VENV/bin/cfn-lint ]]; then
  t0=$SECONDS
  rm -rf "$VENV" # a half-built venv from an interrupted run is not trusted
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check --retries 3 "cfn-lint==$CFN_LINT_VERSION"
  "$VENV/bin/cfn-lint" --version >/dev/null
  touch "$VENV/.complete"
  echo "cfn-lint $CFN_LINT_VERSION installed in $((SECONDS - t0))s (.tools/cfn-lint-$CFN_LINT_VERSION)"
fi

templates=("$@")
if [[ ${#templates[@]} -eq 0 ]]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
  # synth NAME CONTEXT...: `cdk synth` as the deploy guide runs it (cdk-nag included), into $out/NAME.
  synth() {
    local name=$1
    shift
    npx cdk synth --no-notices -q -c code=inline "$@" -o "$out/$name" >"$out/$name.log" 2>&1
  }
  # Both at once: each is mostly single-threaded Node start-up and synthesis.
  synth fresh-vpc -c allowedRepositories=acme/platform &
  fresh=$!
  synth imported-vpc \
    -c stackName=LandscapeImported \
    -c allowedRepositories=acme/platform,acme-data/* -c allowedBranches=main,release \
    -c vpcId=vpc-0123456789abcdef0 \
    -c privateSubnetIds=subnet-0123456789abcdef1,subnet-0123456789abcdef2 \
    -c privateRouteTableIds=rtb-0123456789abcdef1,rtb-0123456789abcdef2 -c vpcEndpoints=true \
    -c applyReservedConcurrency=1 -c auditRetentionDays=2555 -c auditLockMode=compliance \
    -c availabilityZones=eu-west-1a,eu-west-1b \
    -c secretsPrefix=platform/ -c driftEnvironments=production -c alarmEmail=ops@example.com \
    -c driftSchedule='rate(10 minutes)' -c monitorSchedule='rate(5 minutes)' \
    -c githubAppId=12345 -c githubAppInstallationId=67890 \
    -c auditBuckets=acme-landscape-audit \
    -c mskClusterArns=arn:aws:kafka:eu-west-1:111122223333:cluster/prod/0b1c2d3e-1111-2222-3333-444455556666-1 \
    -c mskAuditTopics=landscape.audit \
    -c eksClusters=prod -c eksAccessNamespaces=payments,orders -c eksApplyAccessPolicy=edit \
    -c assumableRoleArns=arn:aws:iam::111122223333:role/landscape-platform \
    -c platformPeers=10.20.0.0/16,sg-0123456789abcdef0 -c platformPorts=443,9098 -c httpsPeers=pl-0123abcd &
  imported=$!
  failed=()
  wait "$fresh" || failed+=(fresh-vpc)
  wait "$imported" || failed+=(imported-vpc)
  for name in "${failed[@]}"; do
    cat "$out/$name.log" >&2
    echo "cfn-lint: cdk synth of the $name template failed" >&2
  done
  [[ ${#failed[@]} -eq 0 ]] || exit 1
  templates+=("$out"/fresh-vpc/*.template.json "$out"/imported-vpc/*.template.json)
fi

# --non-zero-exit-code warning: warnings fail too (informational findings are printed, never fatal).
if "$VENV/bin/cfn-lint" --config-file "$ROOT/.cfnlintrc" --non-zero-exit-code warning \
  --regions "${REGIONS[@]}" -- "${templates[@]}"; then
  echo "cfn-lint $CFN_LINT_VERSION: ${#templates[@]} template(s), no errors or warnings"
else
  echo "cfn-lint $CFN_LINT_VERSION: findings above (fix them, or ignore a rule in .cfnlintrc with the reason)" >&2
  exit 1
fi
