-- wrk script for http-load.sh: every response must be a 200 whose body starts with the expected principal line
-- ("principal=<name>\n", written by LoadServer's page). Anything else is counted as bad; done() prints one RESULT
-- line that http-load.sh parses, and the script fails the run if bad or errors are not zero.
-- Usage: wrk ... -s http-load.lua URL -- <principal name>

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  expected = "principal=" .. args[1] .. "\n"
  bad = 0
end

function response(status, headers, body)
  if status ~= 200 or body == nil or string.sub(body, 1, #expected) ~= expected then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local bad_total = 0
  for _, thread in ipairs(threads) do
    bad_total = bad_total + thread:get("bad")
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d bad=%d non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), bad_total, e.status,
    e.connect + e.read + e.write + e.timeout))
end
