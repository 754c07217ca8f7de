-- wrk's report, one JSON line after "BENCH " that bench/wrk.py reads.
-- wrk's own "Non-2xx or 3xx" count ignores redirects, and a lost session redirects to /signin,
-- so every response that is not 200 is counted here too.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) not_ok = 0 end
function response(status, headers, body) if status ~= 200 then not_ok = not_ok + 1 end end
function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + thread:get("not_ok") end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "not_200": %d, "status_errors": %d, '
    .. '"connect": %d, "read": %d, "write": %d, "timeout": %d, '
    .. '"mean_us": %.1f, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, bad, e.status, e.connect, e.read, e.write, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max))
end
