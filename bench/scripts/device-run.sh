#!/usr/bin/env bash
# The scaling check on a many-core machine without a JDK, in one go: a jlinked JDK 25 and the
# tools travel with the working tree (see docs/scaling.md for how they are made):
#   .jdk-device/        jlink --add-modules java.base,java.management,jdk.management,jdk.unsupported,
#                       jdk.httpserver,jdk.jfr --compress zip-9 --strip-debug --no-header-files
#                       --no-man-pages  (without jdk.jfr the DiagnosticCommand MBean lacks
#                       compilerDirectivesAdd, and InlineGuard's directive is not added)
#   .devtools/gobench   CGO_ENABLED=0 go build -o .devtools/gobench bench/go/gobench.go
#   .devtools/wrk, .devtools/lib/   wrk and the shared libraries it links (optional)
#   assembly/target/jgo.jar
# Prints: the scaling table (procs 1..16, jgo beside virtual threads and Go), yield placement
# at 4 and 16 Ps, stop-the-world latency at 16 Ps, and the HTTP hello comparison under wrk.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-device-out}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
export JAVA_HOME=$PWD/.jdk-device
J=$JAVA_HOME/bin/java
F="-XX:+UseParallelGC -Xms4g -Xmx4g --add-exports java.base/jdk.internal.vm=ALL-UNNAMED"
JAR=assembly/target/jgo.jar

echo "== scaling"
JAVA=$J GOBENCH=.devtools/gobench PROCS="${PROCS:-1 2 4 8 16}" \
  WORKLOADS=skynet,spawn-many,yield-many,chained-spawn,ping-pong OUT="$OUT/scale" \
  bash bench/scripts/scale.sh

if [ -z "${SKIP_YIELD:-}" ]; then
echo "== yield placement (fair=go: global queue, as Go; fair=local-yield: own P's queue)"
# shellcheck disable=SC2086
$J $F -jar $JAR compare --workloads yield-many --policies "fair=go,local-yield" --procs 4,16 \
  --runs 3 --warmup 1 --out "$OUT/yield" 2>&1 | grep -v WARNING | sed -n '/^workload/,/^$/p'

fi

if [ -z "${SKIP_STW:-}" ]; then
echo "== stop-the-world latency"
# shellcheck disable=SC2086
$J $F -cp $JAR dev.jgo.bench.StwBench 16 200 2>&1 | grep -v WARNING
fi

if [ -x .devtools/wrk ]; then
  echo "== HTTP hello under wrk"
  mkdir -p "$OUT/bin"
  ln -sf "$PWD/.devtools/wrk" "$OUT/bin/wrk"
  PATH="$OUT/bin:$PATH" LD_LIBRARY_PATH="$PWD/.devtools/lib" JFLAGS="-XX:+UseParallelGC -Xms1g -Xmx1g" \
    WARMUP_S=2 DURATION_S=5 OUT="$OUT/http" bash bench/http-bench.sh 1
fi
