-- wrk script: a filtered first page of GET /api/v1/cases (status + district + overdue,
-- 50 a page), filters drawn at random. CW_TOKEN, CW_WRK_OUT as case_create.lua.
local token = os.getenv("CW_TOKEN")
local statuses = { "in_progress", "dispatched", "resolved", "closed", "reported" }
local regions = { "340602000000", "340603000000", "340604000000", "340621000000" }
local overdue = { "&overdue=true", "&overdue=false", "" }
local n = 0

function setup(thread)
  n = n + 1
  thread:set("tid", n)
end

function init(args)
  math.randomseed(os.time() * 100 + (tid or 0))
end

request = function()
  local path = string.format("/api/v1/cases?status=%s&region=%s%s&limit=50",
    statuses[math.random(#statuses)], regions[math.random(#regions)], overdue[math.random(#overdue)])
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
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
