#!/usr/bin/env bash
# Runs the README's "Run the example portal" command exactly as written there (on other ports, with a fresh data
# folder) and checks that the portal answers: the login page over HTTPS, and the plain-HTTP port's redirect to it.
# The README promises that this one command sets everything up on a fresh machine with only a JDK.
set -euo pipefail
cd "$(dirname "$0")/.."

https_port=${README_PORTAL_HTTPS_PORT:-18443}
http_port=${README_PORTAL_HTTP_PORT:-18080}
wait_seconds=${README_PORTAL_WAIT_SECONDS:-600}

# The first command in the section's code block, taken from the README so that the check cannot drift from it.
command=$(awk '
  /^## Run the example portal/ { section = 1; next }
  section && /^## / { exit }
  section && /^```/ { block = !block; next }
  section && block && /^\.\/mvnw / { print; exit }
' README.md)
if [[ -z $command ]]; then
  echo "readme-portal-check: no ./mvnw command under '## Run the example portal' in README.md" >&2
  exit 1
fi

data=$(mktemp -d)
log="$data/portal.log"
echo "readme-portal-check: $command (ports $https_port and $http_port, data in $data)"
# A session of its own, so that the whole process group (Maven and the portal it runs) can be stopped.
setsid bash -c "$command -Dexec.args=\"--https-port $https_port --http-port $http_port --data-dir $data/portal\"" \
  > "$log" 2>&1 < /dev/null &
pid=$!
stop() {
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do
    kill -0 -- "-$pid" 2>/dev/null || break
    sleep 1
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
}
trap stop EXIT

login=""
for _ in $(seq 1 "$wait_seconds"); do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "readme-portal-check: the command ended before the portal answered; its output:" >&2
    tail -40 "$log" >&2
    exit 1
  fi
  login=$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$https_port/login" || true)
  [[ $login == 200 ]] && break
  sleep 1
done
if [[ $login != 200 ]]; then
  echo "readme-portal-check: no answer from https://127.0.0.1:$https_port/login within $wait_seconds s; output:" >&2
  tail -40 "$log" >&2
  exit 1
fi
redirect=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$http_port/login")
if [[ $redirect != "308 https://localhost:$https_port/login" ]]; then
  echo "readme-portal-check: the plain-HTTP port answered '$redirect', not a 308 to https://localhost:$https_port/login" >&2
  exit 1
fi
echo "readme-portal-check: the portal answered: GET /login 200 over HTTPS, plain HTTP $redirect"
