-- wrk script: GET /api/v1/grids/locate at random points over the demo city.
-- The bearer token comes from the environment (CW_TOKEN), as bench/run sets it.
local token = os.getenv("CW_TOKEN")
local lon0, lon1, lat0, lat1 = 116.45, 117.05, 33.35, 34.15

request = function()
  local lon = lon0 + math.random() * (lon1 - lon0)
  local lat = lat0 + math.random() * (lat1 - lat0)
  local path = string.format("/api/v1/grids/locate?lon=%.6f&lat=%.6f", lon, lat)
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
