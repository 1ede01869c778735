-- wrk script: GET /api/v1/grids/locate at random points over the demo city.
-- The bearer token comes from the environment (CW_TOKEN), as bench/run sets it.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk_common.lua")
local token = os.getenv("CW_TOKEN")
local lon0, lon1, lat0, lat1 = 116.45, 117.05, 33.35, 34.15

request = function()
  local lon = lon0 + math.random() * (lon1 - lon0)
  local lat = lat0 + math.random() * (lat1 - lat0)
  local path = string.format("/api/v1/grids/locate?lon=%.6f&lat=%.6f", lon, lat)
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end
