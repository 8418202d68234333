#!/usr/bin/env bash
# The chaos test's long form (the suite runs it for 40 s): clients run random verbs on shared
# containers while the server is killed with SIGKILL and restarted, for SECONDS (default 1800).
# It prints one summary line (verbs run, kills) and fails on any unexplained answer, any
# disagreement between the API, runc and conmon, a lost log line, or anything left behind.
# Usage: test/chaos.sh [SECONDS] [SEED]     (as root, after the build: bin/test or mvn install)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-1800}
seed=${2:+-Dsdc.chaos.seed=$2}
mvn -B -q install -DskipTests
exec mvn -B verify -pl test -Dit.test=ChaosTest \
  -Dsdc.chaos.seconds="$secs" ${seed:-}
