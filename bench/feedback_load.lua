-- wrk script for bench/feedback_load.py: every request is a fresh submission with its own
-- Idempotency-Key and a valid tester token.
--
--   wrk ... -s bench/feedback_load.lua <url> -- <tokens file> <pilot id> <quota> <delay ms> <run>
--
-- quota > 0: each thread sends quota / threads submissions, then stops (once it has their
--            answers); requests the connections send after the quota are GETs of a missing
--            route (404), not counted.
-- delay > 0: each connection waits a random 0.5–1.5 × delay ms before its next request
--            (wrk has no rate control; this spreads a steady offered load, see the .py).
-- Tokens are split between threads so that a tester's rate limit is never shared.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local path, pilot = args[1], args[2]
  quota, pause, run = tonumber(args[3]), tonumber(args[4]), args[5]
  tokens = {}
  local i = 0
  for line in io.lines(path) do
    if i % nthreads() == id then table.insert(tokens, line) end
    i = i + 1
  end
  quota = math.ceil(quota / nthreads())
  url = "/api/v1/pilots/" .. pilot .. "/feedback"
  sent, answered = 0, 0
  created, replayed, client_errors, server_errors = 0, 0, 0, 0
  math.randomseed(os.time() + id * 7919)
end

function nthreads()
  return tonumber(os.getenv("BENCH_WRK_THREADS") or "2")
end

local function body(n)
  local likert = 1 + n % 5
  return string.format(
    '{"likert":{"comfort":%d,"light":%d},"nps":%d,"sus":[4,2,4,1,5,2,4,1,5,%d],' ..
    '"free_text":{"remarks":"Run %s, answer %d: la rue est mieux eclairee."}}',
    likert, 6 - likert, n % 11, 1 + n % 5, run, n)
end

function request()
  sent = sent + 1
  if quota > 0 and sent > quota then
    return wrk.format("GET", "/api/v1/bench-filler")
  end
  local token = tokens[(sent - 1) % #tokens + 1]
  local key = string.format("%s-%d-%d-%d", run, id, sent, math.random(1, 1000000000))
  return wrk.format("POST", url, {
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = key,
    ["Content-Type"] = "application/json",
  }, body(sent))
end

function delay()
  if pause > 0 then return math.random(math.floor(pause / 2), math.floor(pause * 3 / 2)) end
  return 0
end

function response(status, headers, body)
  if status == 404 then return end -- a filler request after the quota
  answered = answered + 1
  if status == 201 then created = created + 1
  elseif status == 200 then replayed = replayed + 1
  elseif status >= 500 then server_errors = server_errors + 1
  else client_errors = client_errors + 1 end
  if quota > 0 and answered >= quota then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local totals = {created = 0, replayed = 0, client_errors = 0, server_errors = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do totals[name] = totals[name] + thread:get(name) end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"duration_us":%d,"requests":%d,"created":%d,"replayed":%d,' ..
    '"client_errors":%d,"server_errors":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.duration, summary.requests, totals.created, totals.replayed,
    totals.client_errors, totals.server_errors, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
