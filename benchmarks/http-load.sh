#!/usr/bin/env bash
# HTTP load on loopback: requests per second and p99 latency of one tiny servlet on Jetty 12 in three apps
# (dev.portcullis.benchmarks.http.LoadServer): bare, behind PortcullisFilter, and behind the floor (ChecksOnlyFilter:
# Portcullis' per-request checks written inline with no framework), for an authenticated GET (the cookies a browser
# has after logging in; each filter its own), an anonymous GET of a public page, and an authenticated GET of a
# realistic page (about 10 KB of HTML rendered per request: what users see, where the filter is a smaller share). Bare
# to floor is what the checks themselves cost over HTTP; floor to Portcullis is what the library's generality costs.
# Runs are bounded in time and interleaved, per round and case Portcullis / bare / floor or floor / bare / Portcullis
# (alternating by round: each filter's run is next to a bare run, on either side by turns), so that noise on a shared
# machine hits all alike; the tables show the median of the rounds, and beside it the server process's CPU time per
# request (steadier than req/s on a shared machine). Each filter's ratio to bare and the CPU it adds are taken per
# round between its run and the bare run next to it, then the median of those. Every response is checked
# (http-load.lua): any that is not a 200 answered as the expected principal, and any socket error, fails the script.
#
# Usage: benchmarks/http-load.sh [SECONDS_PER_RUN=10] [WARMUP_SECONDS=5] [ROUNDS=3]
#   quick check: benchmarks/http-load.sh 2 1
# Environment: WRK_THREADS (1), WRK_CONNECTIONS (16), JAVA (java), JAVA_OPTS (none), HTTP_LOAD_SKIP_BUILD=1 to use
# benchmarks/target/benchmarks.jar as it is. Otherwise the jar is built when missing or older than the sources.
# Needs wrk (Debian: apt-get install -y wrk) and curl.
set -euo pipefail

duration=${1:-10}
warmup=${2:-5}
rounds=${3:-3}
threads=${WRK_THREADS:-1}
connections=${WRK_CONNECTIONS:-16}
java=${JAVA:-java}

root=$(cd "$(dirname "$0")/.." && pwd)
jar=$root/benchmarks/target/benchmarks.jar
lua=$root/benchmarks/http-load.lua

die() {
  echo "http-load: $*" >&2
  exit 1
}

for n in "$duration" "$warmup" "$rounds" "$threads" "$connections"; do
  [[ $n =~ ^[0-9]+$ ]] || die "durations, rounds, threads and connections are whole numbers, got '$n'"
done
((duration > 0 && rounds > 0)) || die "the run duration and the number of rounds must be at least 1"
command -v wrk >/dev/null || die "wrk not found (Debian: apt-get install -y wrk)"
command -v curl >/dev/null || die "curl not found"

if [[ ${HTTP_LOAD_SKIP_BUILD:-0} != 1 ]]; then
  if [[ ! -f $jar ]] || [[ -n $(find "$root/pom.xml" "$root"/{core,servlet-filter,benchmarks}/{pom.xml,src/main} \
      -newer "$jar" -type f -print -quit) ]]; then
    echo "http-load: building $jar" >&2
    (cd "$root" && ./mvnw -B -ntp -q -pl benchmarks -am package -DskipTests) >&2
  fi
fi
[[ -f $jar ]] || die "$jar is missing"

work=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
"$java" ${JAVA_OPTS:-} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$jar" \
  dev.portcullis.benchmarks.http.LoadServer --cookie-file "$work/cookie" --floor-cookie-file "$work/floor-cookie" \
  >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
for _ in $(seq 600); do
  grep -qx ready "$work/server.out" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.err" >&2; die "the load server did not start"; }
  sleep 0.1
done
grep -qx ready "$work/server.out" || die "the load server was not ready within 60 s"
bare_url=$(sed -n 's/^bare //p' "$work/server.out")
portcullis_url=$(sed -n 's/^portcullis //p' "$work/server.out")
floor_url=$(sed -n 's/^floor //p' "$work/server.out")
user=$(sed -n 's/^user //p' "$work/server.out")
[[ -n $bare_url && -n $portcullis_url && -n $floor_url && -n $user ]] || die "the load server did not name its apps"
cookie=$(<"$work/cookie")
floor_cookie=$(<"$work/floor-cookie")

# What a TLS-terminating proxy on 127.0.0.1 adds; both of LoadServer's filters trust it (LoadServer.PROXY_HEADERS).
proxy_headers=(-H 'X-Forwarded-Proto: https' -H 'X-Forwarded-For: 192.0.2.10')
auth_path=/account
anon_path=/privacy
page_path=/cases
cases=(auth anon page)
apps=(bare portcullis floor)

url_of() { # app
  case $1 in
    bare) echo "$bare_url" ;;
    portcullis) echo "$portcullis_url" ;;
    floor) echo "$floor_url" ;;
  esac
}

# The floor's login is its own; the bare app gets Portcullis' cookies (it reads none) so that its requests are alike.
cookie_of() { [[ $1 == floor ]] && echo "$floor_cookie" || echo "$cookie"; }

# The principal each app must answer as: the bare app knows no user.
expected_of() { # app case
  [[ $1 != bare && $2 != anon ]] && echo "$user" || echo anonymous
}

request_args() { # case app -> extra wrk/curl arguments
  if [[ $1 == auth ]]; then
    printf '%s\0' "${proxy_headers[@]}" -H "Cookie: $(cookie_of "$2")" "$(url_of "$2")$auth_path"
  elif [[ $1 == page ]]; then
    printf '%s\0' "${proxy_headers[@]}" -H "Cookie: $(cookie_of "$2")" "$(url_of "$2")$page_path"
  else
    printf '%s\0' "${proxy_headers[@]}" "$(url_of "$2")$anon_path"
  fi
}

# Before any timing: one request per app and case, status and principal checked.
for case in "${cases[@]}"; do
  for app in "${apps[@]}"; do
    mapfile -d '' args < <(request_args "$case" "$app")
    status=$(curl -sS -o "$work/body" -w '%{http_code}' --max-time 10 "${args[@]}")
    first=$(head -n 1 "$work/body")
    [[ $status == 200 && $first == "principal=$(expected_of "$app" "$case")" ]] ||
      die "pre-check failed: $app $case answered $status '$first', expected 200 'principal=$(expected_of "$app" "$case")'"
  done
done

# The server's CPU time so far (user + system) in clock ticks: CPU per request does not depend on how much of the
# machine the server got, which on a shared machine makes it the steadier figure.
server_ticks() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }
ticks_per_second=$(getconf CLK_TCK)

run() { # app case seconds -> "requests duration_us p50_us p99_us server_cpu_ticks"
  local app=$1 case=$2 seconds=$3 args out result ticks
  mapfile -d '' args < <(request_args "$case" "$app")
  ticks=$(server_ticks)
  out=$(wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout 5s --latency -s "$lua" "${args[@]}" \
    -- "$(expected_of "$app" "$case")") || die "wrk failed on $app $case: $out"
  ticks=$(($(server_ticks) - ticks))
  result=$(grep '^RESULT ' <<<"$out") || die "wrk printed no RESULT line for $app $case: $out"
  # RESULT requests=N duration_us=N p50_us=N p99_us=N bad=N non2xx=N socket_errors=N
  read -r requests dur p50 p99 bad non2xx sockerr < <(sed -E 's/[a-z0-9_]+=//g; s/^RESULT //' <<<"$result")
  ((bad == 0 && non2xx == 0 && sockerr == 0)) ||
    die "$app $case: $bad wrong answers, $non2xx non-2xx, $sockerr socket errors in $requests requests"
  echo "$requests $dur $p50 $p99 $ticks"
}

echo "http-load: wrk -t$threads -c$connections, ${duration} s per run after ${warmup} s warm-up per app, $rounds" \
  "rounds; $("$java" -version 2>&1 | head -n 1)" >&2
if ((warmup > 0)); then
  for case in "${cases[@]}"; do
    for app in "${apps[@]}"; do
      run "$app" "$case" "$warmup" >/dev/null
    done
  done
fi

results=$work/results
: >"$results"
for round in $(seq "$rounds"); do
  # Bare in the middle: each filter's run is next to it, before it in one round and after it in the next.
  order=(portcullis bare floor)
  ((round % 2 == 0)) && order=(floor bare portcullis)
  for case in "${cases[@]}"; do
    for app in "${order[@]}"; do
      read -r requests dur p50 p99 ticks < <(run "$app" "$case" "$duration")
      rps=$(awk -v n="$requests" -v us="$dur" 'BEGIN { printf "%.0f", n / (us / 1e6) }')
      cpu_us=$(awk -v t="$ticks" -v hz="$ticks_per_second" -v n="$requests" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
      echo "$case $app $round $rps $p99 $cpu_us" >>"$results"
      printf 'round %d %-4s %-10s %8s req/s  p50 %6.2f ms  p99 %7.2f ms  server CPU %5s us/req\n' "$round" "$case" \
        "$app" "$rps" "$(awk -v v="$p50" 'BEGIN { print v / 1000 }')" "$(awk -v v="$p99" 'BEGIN { print v / 1000 }')" \
        "$cpu_us" >&2
    done
  done
done

label_of() { # case -> the table's row label
  case $1 in
    auth) echo "authenticated GET $auth_path" ;;
    anon) echo "anonymous GET $anon_path" ;;
    page) echo "authenticated GET $page_path (10 KB page)" ;;
  esac
}

target_of() { # case -> the least Portcullis / bare req/s ratio the performance targets allow; none for the page
  case $1 in
    auth) echo 0.9 ;;
    anon) echo 0.95 ;;
    page) echo "" ;;
  esac
}

median() { # case app column(4 = req/s, 5 = p99 us, 6 = server CPU us per request)
  awk -v c="$1" -v a="$2" -v col="$3" '$1 == c && $2 == a { print $col }' "$results" | sort -n |
    awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Per round, a filter's app (Portcullis or the floor) against the bare run next to it in time ("ratio": req/s
# divided, "difference": CPU per request subtracted), then the median over the rounds: noise that hits one round hits
# both of its runs.
paired() { # case column(4 = req/s, 6 = server CPU us per request) ratio|difference app(portcullis|floor)
  awk -v c="$1" -v col="$2" -v op="$3" -v a="$4" '$1 == c { v[$2 " " $3] = $col; r[$3] = 1 }
    END { for (k in r) print (op == "ratio" ? v[a " " k] / v["bare " k] : v[a " " k] - v["bare " k]) }' \
    "$results" | sort -g |
    awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo
echo "| case | bare req/s | Portcullis req/s | ratio | target | met | bare p99 | Portcullis p99 | floor req/s" \
  "| floor ratio | floor p99 |"
echo "| --- | ---: | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |"
for case in "${cases[@]}"; do
  label=$(label_of "$case")
  bare_rps=$(median "$case" bare 4)
  portcullis_rps=$(median "$case" portcullis 4)
  target=$(target_of "$case")
  awk -v l="$label" -v b="$bare_rps" -v p="$portcullis_rps" -v bp="$(median "$case" bare 5)" \
    -v pp="$(median "$case" portcullis 5)" -v t="$target" -v ratio="$(paired "$case" 4 ratio portcullis)" \
    -v f="$(median "$case" floor 4)" -v fp="$(median "$case" floor 5)" -v fratio="$(paired "$case" 4 ratio floor)" \
    'BEGIN {
      met = t == "" ? "" : (ratio >= t ? "yes" : "**no**")
      printf "| %s | %.0f | %.0f | %.2f | %s | %s | %.2f ms | %.2f ms | %.0f | %.2f | %.2f ms |\n", l, b, p, ratio,
        t == "" ? "" : "≥ " t, met, bp / 1000, pp / 1000, f, fratio, fp / 1000
    }'
done
echo
echo "| case | bare server CPU per request | Portcullis server CPU per request | Portcullis adds" \
  "| floor server CPU per request | floor adds |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
for case in "${cases[@]}"; do
  label=$(label_of "$case")
  awk -v l="$label" -v b="$(median "$case" bare 6)" -v p="$(median "$case" portcullis 6)" \
    -v d="$(paired "$case" 6 difference portcullis)" -v f="$(median "$case" floor 6)" \
    -v fd="$(paired "$case" 6 difference floor)" \
    'BEGIN { printf "| %s | %.1f us | %.1f us | %.1f us | %.1f us | %.1f us |\n", l, b, p, d, f, fd }'
done
echo
echo "Medians of $rounds rounds of ${duration} s (wrk -t$threads -c$connections, loopback, ${warmup} s warm-up per" \
  "app); the floor is the same servlet behind ChecksOnlyFilter, Portcullis' per-request checks written inline with" \
  "no framework. Ratio = Portcullis / bare req/s, floor ratio = floor / bare req/s, and \"Portcullis adds\" and" \
  "\"floor adds\" = the difference in CPU per request from bare, each taken per round between the filter's run and" \
  "the bare run next to it in time, then the median over the rounds; server CPU = the server process's user +" \
  "system time over the run's requests (JIT and GC threads included)."
