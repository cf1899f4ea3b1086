#!/usr/bin/env bash
# Regenerates lib/model/topic-config-definitions.ts from Kafka's own topic config definitions
# (org.apache.kafka.storage.internals.log.LogConfig) of each Kafka version below.
#
#   bash scripts/topic-configs/generate.sh
#
# Jars come from the test services' cache (~/.cache/test-infra/kafka-<version>, scripts/services/kafka.sh)
# when present, otherwise kafka-storage and its runtime dependencies are resolved from Maven Central into
# ~/.cache/test-infra/kafka-topic-configs-<version>. Needs java 17 and mvn, like the test services.
source "$(dirname "${BASH_SOURCE[0]}")/../services/lib.sh"

# The newest patch release of each minor version Landscape supports; add a line per new release.
VERSIONS=(3.9.1 4.0.1 4.1.1 4.2.0 4.3.1)
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

jars_of() { # $1 = version; prints the lib directory
  local v=$1 dir
  if [[ -f $TI_HOME/kafka-$v/.complete ]]; then echo "$TI_HOME/kafka-$v/lib"; return; fi
  dir=$TI_HOME/kafka-topic-configs-$v
  if [[ ! -f $dir/.complete ]]; then
    mkdir -p "$dir"
    cat >"$dir/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.testinfra</groupId><artifactId>kafka-topic-configs</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-storage</artifactId><version>$v</version></dependency>
  </dependencies>
</project>
POM
    log "resolving kafka-storage $v from Maven Central"
    (cd "$dir" && "${MVN[@]}" "$DEP_PLUGIN:copy-dependencies" -DincludeScope=runtime -DoutputDirectory=lib) >&2
    touch "$dir/.complete"
  fi
  echo "$dir/lib"
}

for v in "${VERSIONS[@]}"; do
  lib=$(jars_of "$v")
  log "reading the topic configs of Kafka $v"
  # Logging off: LogConfig's static initialisers may log, and stdout must stay JSON.
  java -Dorg.slf4j.simpleLogger.defaultLogLevel=off -Dlog4j2.level=OFF -cp "$lib/*" \
    "$ROOT/scripts/topic-configs/DumpTopicConfigs.java" >"$OUT/$v.json"
done

node "$ROOT/scripts/topic-configs/write-table.ts" "$OUT" "$ROOT/lib/model/topic-config-definitions.ts" "${VERSIONS[@]}"
(cd "$ROOT" && npx biome format --write lib/model/topic-config-definitions.ts >/dev/null)
log "wrote lib/model/topic-config-definitions.ts (${VERSIONS[*]})"
