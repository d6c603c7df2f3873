#!/usr/bin/env bash
# Scaling table: jgo beside JDK virtual threads at GOMAXPROCS (vt parallelism) 1..16.
# One JVM per procs value (the vt parallelism is fixed when the first virtual thread starts);
# inside each JVM the bench command alternates jgo and vt and reports medians.
#
#   JAVA=java JAR=assembly/target/jgo.jar bench/scripts/scale.sh
#
# Environment: JAVA, JAR, PROCS ("1 2 4 8 12 16"), WORKLOADS, RUNS (3), WARMUP (1),
# FLAGS (GC and heap flags, recorded in the output), OUT (folder for the raw outputs),
# GOBENCH (optional: a binary built from bench/go/gobench.go, run with the same GOMAXPROCS;
# its workloads are skynet, spawn-many, yield-many, chained-spawn and ping-pong).
set -euo pipefail
JAVA=${JAVA:-java}
JAR=${JAR:-assembly/target/jgo.jar}
PROCS=${PROCS:-"1 2 4 8 12 16"}
WORKLOADS=${WORKLOADS:-skynet,spawn-many,spawn-many-outside,yield-many,chained-spawn,ping-pong,prod-cons}
RUNS=${RUNS:-3}
WARMUP=${WARMUP:-1}
FLAGS=${FLAGS:-"-XX:+UseParallelGC -Xms4g -Xmx4g"}
OUT=${OUT:-scale-out}
GOBENCH=${GOBENCH:-}
mkdir -p "$OUT"

echo "# jgo scaling: $(nproc) cpus, $("$JAVA" -version 2>&1 | head -1)"
echo "# flags: $FLAGS; runs=$RUNS warmup=$WARMUP; load: $(cut -d' ' -f1-3 /proc/loadavg)"
for p in $PROCS; do
  start=$(date +%s)
  # shellcheck disable=SC2086
  "$JAVA" $FLAGS --add-exports java.base/jdk.internal.vm=ALL-UNNAMED -jar "$JAR" bench \
    --workload "$WORKLOADS" --procs "$p" --runs "$RUNS" --warmup "$WARMUP" --peers jgo,vt --no-counters \
    > "$OUT/procs-$p.txt" 2> "$OUT/procs-$p.err" || echo "# procs=$p failed: $(tail -3 "$OUT/procs-$p.err")"
  if [ -n "$GOBENCH" ]; then
    GOMAXPROCS=$p "$GOBENCH" -runs "$RUNS" -warmup "$WARMUP" -workload "$WORKLOADS" > "$OUT/go-$p.txt" 2>&1 \
      || echo "# go procs=$p failed: $(tail -3 "$OUT/go-$p.txt")"
  fi
  echo "# procs=$p done in $(( $(date +%s) - start )) s"
done

# The medians table of each output: "workload n jgo-ms vt-ms vt/jgo", up to the blank line;
# Go's output: "workload ms".
printf '\n%-20s' "workload"
for p in $PROCS; do printf '%28s' "procs=$p: jgo ms vt/jgo go/jgo"; done
echo
for w in ${WORKLOADS//,/ }; do
  printf '%-20s' "$w"
  for p in $PROCS; do
    cell=$(awk -v w="$w" '/^workload/ {t=1; next} t && /^$/ {exit} t && $1==w {printf "%.1f %s", $3, $5}' \
      "$OUT/procs-$p.txt" 2>/dev/null)
    jgo=${cell%% *}
    gor=$(awk -v w="$w" -v j="${jgo:-0}" '$1==w && j>0 {printf "%.2f", $2/j}' "$OUT/go-$p.txt" 2>/dev/null)
    printf '%28s' "${cell:--} ${gor:--}"
  done
  echo
done
echo
echo "# vt/jgo and go/jgo above 1 mean jgo is faster; raw outputs in $OUT/"
