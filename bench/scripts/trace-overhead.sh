#!/usr/bin/env bash
# The execution tracer's cost on skynet (1M leaves, GOMAXPROCS 2), two ways, and Go's own
# tracer on the same workload when Go is installed:
#  1. docs/profiler-overhead/Steady.java: tracer on for a whole process or never, processes
#     alternated (off, trace, off, trace...); prints each process's median CPU per run and the
#     ratio of the medians over processes.
#  2. docs/profiler-overhead/Overhead.java: off / trace / cpu100 interleaved in one JVM.
#  3. bench/go/gobench.go -trace: runtime/trace off and on, interleaved, in one Go process.
# Usage: bench/scripts/trace-overhead.sh [PROCESSES] (default 5). Needs assembly/target/jgo.jar
# (or JAR=path); SKIP_INTERLEAVED=1 skips part 2, GO=path names the go command for part 3.
set -euo pipefail
cd "$(dirname "$0")/../.."
PROCESSES=${1:-5}
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
JAR=${JAR:-assembly/target/jgo.jar}
FLAGS=(-XX:+UseParallelGC -Xms2g -Xmx2g --add-exports java.base/jdk.internal.vm=ALL-UNNAMED -cp "$JAR")
echo "# $(date -u +%FT%TZ) $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); JVM flags: ${FLAGS[*]:0:3}"
echo "## 1. steady state, $PROCESSES processes each, alternated"
off=(); on=()
for i in $(seq "$PROCESSES"); do
  for m in off trace; do
    line=$("$JAVA" "${FLAGS[@]}" docs/profiler-overhead/Steady.java "$m" 2>/dev/null | grep cpu_ms)
    echo "$line"
    v=${line##* }
    if [ "$m" = off ]; then off+=("$v"); else on+=("$v"); fi
  done
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mo=$(median "${off[@]}"); mt=$(median "${on[@]}")
echo "median over processes: off $mo ms, trace $mt ms, ratio $(awk -v a="$mt" -v b="$mo" 'BEGIN {printf "%.3f", a/b}')"
if [ -z "${SKIP_INTERLEAVED:-}" ]; then
  echo "## 2. interleaved in one JVM (9 rounds)"
  "$JAVA" "${FLAGS[@]}" docs/profiler-overhead/Overhead.java 1000000 9 2 2>/dev/null | grep -v WARNING
fi
GO=${GO-$(command -v go || true)}
if [ -n "$GO" ]; then
  echo "## 3. Go's runtime/trace, $("$GO" version)"
  tmp=$(mktemp -d)
  CGO_ENABLED=0 "$GO" build -o "$tmp/gobench" bench/go/gobench.go
  GOMAXPROCS=2 "$tmp/gobench" -workload skynet -trace -runs 9 -warmup 2
  rm -rf "$tmp"
else
  echo "## 3. skipped: no go on PATH (set GO=/path/to/go)"
fi
