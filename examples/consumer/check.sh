#!/usr/bin/env bash
# Builds this consumer against the jgo artifacts installed in the local repository (run
# `mvn install` at the root first) and checks that it runs with the JVM flag the README gives and
# fails with the one-line message without it.
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -ntp -q package
CP="target/classes:$(cat target/classpath.txt)"
out=$(java --add-exports java.base/jdk.internal.vm=ALL-UNNAMED -cp "$CP" example.Main)
if [ "$out" != "consumer got 42" ]; then
  echo "consumer: unexpected output: $out" >&2
  exit 1
fi
if java -cp "$CP" example.Main > /dev/null 2> target/noflag.err; then
  echo "consumer: ran without --add-exports; expected the one-line error" >&2
  exit 1
fi
first=$(head -n 1 target/noflag.err)
case "$first" in
  *"jgo needs the JVM flag --add-exports java.base/jdk.internal.vm=ALL-UNNAMED"*) ;;
  *) echo "consumer: first line without the flag was: $first" >&2; exit 1 ;;
esac
echo "consumer: ok (runs with the flag; without it: $first)"
