#!/usr/bin/env bash
# Every allocation of one FilterBenchmark request, per request and site: one fork with TLABs off, so that JFR's
# jdk.ObjectAllocationOutsideTLAB event records each allocation rather than a sample, read by AllocationSites.
# The request runs several hundred times slower meanwhile: the figures are bytes, not times. Takes about half a minute.
# The slow, instrumented run keeps some objects that escape analysis removes in a normal one: this says where
# allocation happens; JMH's -prof gc says what a change saves.
#
# Usage: benchmarks/allocation-sites.sh [BENCHMARK_METHOD [FILTER [ROWS]]]
#   defaults: authenticatedGet portcullis 60; FILTER is one of FilterBenchmark's (noop, checksOnly, portcullis,
#   springSecurity, shiro). Set ALLOCATION_SITES_SKIP_BUILD=1 to use the jar as it is.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
method=${1:-authenticatedGet}
filter=${2:-portcullis}
rows=${3:-60}
jar=benchmarks/target/benchmarks.jar
if [[ -z ${ALLOCATION_SITES_SKIP_BUILD:-} ]]; then
  ./mvnw -B -ntp -q -pl benchmarks -am package -DskipTests
fi
settings=benchmarks/target/allocation-sites.jfc
recording=benchmarks/target/allocation-sites-$method-$filter.jfr
cat > "$settings" <<'JFC'
<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0" label="allocation sites">
  <event name="jdk.ObjectAllocationOutsideTLAB">
    <setting name="enabled">true</setting>
    <setting name="stackTrace">true</setting>
  </event>
</configuration>
JFC
rm -f "$recording"
# Two warm-up seconds, then one measured second; 128-frame stacks reach from an allocation deep in the pipeline down
# to the benchmark method.
java -jar "$jar" "FilterBenchmark.$method" -p filter="$filter" -f 1 -wi 2 -w 1 -i 1 -r 1 \
  -jvmArgsAppend "-XX:-UseTLAB -XX:FlightRecorderOptions:stackdepth=128 -XX:StartFlightRecording:filename=$root/$recording,settings=$root/$settings" \
  > benchmarks/target/allocation-sites-jmh.log 2>&1 \
  || { tail -20 benchmarks/target/allocation-sites-jmh.log >&2; exit 1; }
echo "FilterBenchmark.$method, filter $filter (JFR recording: $recording)"
java -cp "$jar" dev.portcullis.benchmarks.AllocationSites "$recording" "$method" "$rows"
