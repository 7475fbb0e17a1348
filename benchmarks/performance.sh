#!/usr/bin/env bash
# The README's performance table in one command: builds the benchmarks jar, runs PerformanceReport (the cookie, filter
# and session JMH suites, each Portcullis figure beside its same-run baseline, and the bytes per idle session), then
# the HTTP load test on loopback (benchmarks/http-load.sh; needs wrk and curl). Takes about 23 minutes; on shared
# cores, keep the machine otherwise idle. Output goes to the terminal and to benchmarks/target/performance.md.
#
# Usage: benchmarks/performance.sh [quick]
#   quick: one short iteration of each benchmark and a short load test, to check the harness, not to measure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
quick=${1:-}
[[ -z $quick || $quick == quick ]] || { echo "usage: benchmarks/performance.sh [quick]" >&2; exit 2; }

./mvnw -B -ntp -q -pl benchmarks -am package -DskipTests
out=benchmarks/target/performance.md
{
  echo "# Portcullis performance, $(date -u +%Y-%m-%d)"
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(uname -sr)"
  java -cp benchmarks/target/benchmarks.jar dev.portcullis.benchmarks.PerformanceReport $quick \
    | tee benchmarks/target/performance-jmh.log \
    | sed -n '/^Java /,$p'
  echo
  echo "HTTP on loopback:"
  if [[ -n $quick ]]; then
    HTTP_LOAD_SKIP_BUILD=1 benchmarks/http-load.sh 2 1 1
  else
    HTTP_LOAD_SKIP_BUILD=1 benchmarks/http-load.sh
  fi
} | tee "$out"
