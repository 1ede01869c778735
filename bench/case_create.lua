-- wrk script: POST /api/v1/cases with varied categories and points inside grids.
-- Environment (bench/cases sets it): CW_TOKEN (a dispatcher's bearer token),
-- CW_POINTS (a Lua file returning {{lon, lat}, …}, points of generated cases, so
-- inside grids), CW_WRK_OUT (where done() writes its JSON).
local token = os.getenv("CW_TOKEN")
local points = dofile(os.getenv("CW_POINTS"))
local categories = { "06010", "07001", "09006", "09001", "06002", "03002", "01005", "09003" }
local n = 0

function setup(thread)
  n = n + 1
  thread:set("tid", n)
end

function init(args)
  math.randomseed(os.time() * 100 + (tid or 0))
end

request = function()
  local p = points[math.random(#points)]
  local body = string.format(
    '{"kind":"event","category":"%s","title":"压测上报","description":"bench","location":{"lon":%.6f,"lat":%.6f},"channel":"app"}',
    categories[math.random(#categories)], p[1], p[2])
  return wrk.format("POST", "/api/v1/cases",
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
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
