-- Shared by the wrk scripts of bench/: per-thread random seeds and the JSON summary
-- that done() writes to CW_WRK_OUT. Load it with
--   dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk_common.lua")
local n = 0

function setup(thread)
  n = n + 1
  thread:set("tid", n)
end

function init(args)
  math.randomseed(os.time() * 100 + (tid or 0))
end

done = function(summary, latency, requests)
  local out = io.open(os.getenv("CW_WRK_OUT"), "w")
  -- status_4xx_5xx: wrk's count of answers with a status above 399 (the APIs send no 3xx).
  out:write(string.format('{"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, "errors": %d, "status_4xx_5xx": %d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
  out:close()
end
