-- wrk script: GET /api/v1/cases/{id} at random ids 1..CW_CASES (the generated cases),
-- with the case's timeline and allowed actions. CW_TOKEN, CW_WRK_OUT as case_create.lua.
local token = os.getenv("CW_TOKEN")
local cases = tonumber(os.getenv("CW_CASES"))
local n = 0

function setup(thread)
  n = n + 1
  thread:set("tid", n)
end

function init(args)
  math.randomseed(os.time() * 100 + (tid or 0))
end

request = function()
  return wrk.format("GET", "/api/v1/cases/" .. math.random(cases),
    { ["Authorization"] = "Bearer " .. token })
end

done = function(summary, latency, requests)
  local out = io.open(os.getenv("CW_WRK_OUT"), "w")
  out:write(string.format('{"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.3f, "p99_ms": %.3f, "errors": %d, "status_4xx_5xx": %d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
  out:close()
end
