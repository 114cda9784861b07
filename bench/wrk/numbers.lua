-- Draws one line per request from NUMBERS_FILE and requests PATH_PREFIX .. urlencoded(line).
-- Prints one JSON line of results (requests/s inputs and latency percentiles, microseconds).
local lines = {}
local prefix = os.getenv("PATH_PREFIX") or "/v1/verify?certificate_number="

local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local file = os.getenv("NUMBERS_FILE")
if file then
  for line in io.lines(file) do
    if #line > 0 then lines[#lines + 1] = urlencode(line) end
  end
end
if #lines == 0 then lines[1] = "Q%20700001" end

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  math.randomseed(os.time() * 1000 + (id or 0) * 7919)
end

function request()
  return wrk.format("GET", prefix .. lines[math.random(#lines)])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"status_errors":%d,"timeouts":%d,"p50_us":%d,"p95_us":%d,' ..
    '"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    latency.mean))
end
