#!/usr/bin/env bash
# Issue 6's HTTP benchmark: jgo's hello server (`jgo serve --http`, goroutine per connection on
# jgo's netpoll) beside the JDK's com.sun.net.httpserver on a virtual-thread executor and a
# ServerSocket with a virtual thread per connection (dev.jgo.bench.HttpPeers), each under
#   wrk -t1 -c64 -d10s --latency
# on loopback, one server at a time, the order rotating each round. Every server runs with the
# same JVM flags. Per run: req/s, p50 and p99 latency, and the server's peak and final RSS
# (VmHWM, VmRSS of /proc/PID/status); then medians per server and ratios jgo/peer.
#
# Usage: bench/http-bench.sh [ROUNDS]   (from the repository root, after mvn install)
# Environment: JFLAGS (default: -XX:+UseParallelGC -Xms1g -Xmx1g), JAR, PORT, WARMUP_S (5),
#   DURATION_S (10), CONNS (64), OUT (a folder for the raw wrk output; default: a temp folder),
#   SERVERS (default "jgo jdk socket"; the first is the one ratios divide; "jgo+--policy+spin=go-strict"
#   is jgo's server with the options after "jgo", "+" standing for a space).
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${1:-3}
JAR=${JAR:-assembly/target/jgo.jar}
JFLAGS=${JFLAGS:--XX:+UseParallelGC -Xms1g -Xmx1g}
PORT=${PORT:-18090}
WARMUP_S=${WARMUP_S:-5}
DURATION_S=${DURATION_S:-10}
CONNS=${CONNS:-64}
OUT=${OUT:-$(mktemp -d)}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
PID=
mkdir -p "$OUT"

command -v wrk >/dev/null || { echo "wrk not found (Debian: apt-get install -y wrk)" >&2; exit 1; }
[ -f "$JAR" ] || { echo "$JAR not found: run mvn -B -q install -DskipTests first" >&2; exit 1; }

# shellcheck disable=SC2086
start_server() { # NAME -> sets PID
  case "$1" in
    jgo*) $JAVA $JFLAGS -jar "$JAR" serve --http --port "$PORT" $(echo "${1#jgo}" | tr '+' ' ') >"$OUT/$1.log" 2>&1 & ;;
    jdk) $JAVA $JFLAGS -cp "$JAR" dev.jgo.bench.HttpPeers jdk --port "$PORT" >"$OUT/$1.log" 2>&1 & ;;
    socket) $JAVA $JFLAGS -cp "$JAR" dev.jgo.bench.HttpPeers socket --port "$PORT" >"$OUT/$1.log" 2>&1 & ;;
  esac
  PID=$!
  for _ in $(seq 1 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  echo "$1 did not start listening on $PORT; log:" >&2; cat "$OUT/$1.log" >&2; exit 1
}

stop_server() {
  [ -n "$PID" ] || return 0
  kill "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
  PID=
}
trap 'stop_server' EXIT

kb() { awk -v f="$1:" '$1 == f { print $2 }' "/proc/$PID/status"; }

# wrk latency figure (e.g. 612.00us, 4.01ms, 1.2s) -> milliseconds
to_ms() { awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } print v }'; }

echo "http-bench: $(date -u +%FT%TZ), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "java: $($JAVA -version 2>&1 | sed -n 2p)"
echo "JVM flags (every server): $JFLAGS"
echo "wrk: wrk -t1 -c$CONNS -d${DURATION_S}s --latency (after a ${WARMUP_S} s warm-up), $ROUNDS rounds; raw output in $OUT"
RESULTS="$OUT/results.tsv"
printf 'round\tserver\treq_s\tp50_ms\tp99_ms\thwm_kb\trss_kb\n' >"$RESULTS"
read -r -a SERVERS <<<"${SERVERS:-jgo jdk socket}"
NS=${#SERVERS[@]}
for round in $(seq 1 "$ROUNDS"); do
  for k in $(seq 0 $((NS - 1))); do
    s=${SERVERS[$(( (round - 1 + k) % NS ))]}
    start_server "$s"
    wrk -t1 -c"$CONNS" -d"${WARMUP_S}s" "http://127.0.0.1:$PORT/" >"$OUT/$s-$round-warmup.txt"
    wrk -t1 -c"$CONNS" -d"${DURATION_S}s" --latency "http://127.0.0.1:$PORT/" >"$OUT/$s-$round.txt"
    hwm=$(kb VmHWM); rss=$(kb VmRSS)
    stop_server
    f="$OUT/$s-$round.txt"
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$f")
    p50=$(awk '$1 == "50%" { print $2 }' "$f" | to_ms)
    p99=$(awk '$1 == "99%" { print $2 }' "$f" | to_ms)
    errs=$(grep -E 'Socket errors|Non-2xx' "$f" || true)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$s" "$rps" "$p50" "$p99" "$hwm" "$rss" >>"$RESULTS"
    printf 'round %s %-6s %10s req/s  p50 %7s ms  p99 %7s ms  VmHWM %s kB  VmRSS %s kB %s\n' \
      "$round" "$s" "$rps" "$p50" "$p99" "$hwm" "$rss" "$errs"
  done
done
trap - EXIT
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
awk -F'\t' -v servers="${SERVERS[*]}" '
  NR == 1 { next }
  { n[$2]++; rps[$2, n[$2]] = $3; p50[$2, n[$2]] = $4; p99[$2, n[$2]] = $5; hwm[$2, n[$2]] = $6 }
  function med(a, s,   i, j, t, c, v) {
    c = n[s]; for (i = 1; i <= c; i++) v[i] = a[s, i] + 0
    for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return c % 2 ? v[(c + 1) / 2] : (v[c / 2] + v[c / 2 + 1]) / 2
  }
  END {
    ns = split(servers, order, " ")
    printf "| server | req/s | p50 ms | p99 ms | peak RSS MiB | %s/server req/s | %s/server p99 | %s/server RSS |\n", order[1], order[1], order[1]
    printf "|---|---:|---:|---:|---:|---:|---:|---:|\n"
    jr = med(rps, order[1]); j99 = med(p99, order[1]); jh = med(hwm, order[1])
    for (k = 1; k <= ns; k++) {
      s = order[k]; r = med(rps, s); q = med(p99, s); h = med(hwm, s)
      printf "| %s | %.0f | %.2f | %.2f | %.0f | %.2f | %.2f | %.2f |\n", s, r, med(p50, s), q, h / 1024, jr / r, j99 / q, jh / h
    }
  }' "$RESULTS"
