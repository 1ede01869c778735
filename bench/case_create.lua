-- wrk script: POST /api/v1/cases with varied categories and points inside grids.
-- Environment (bench/run sets it): CW_TOKEN (a dispatcher's bearer token),
-- CW_POINTS (a Lua file returning {{lon, lat}, …}, points of generated cases, so
-- inside grids), CW_WRK_OUT (where done() writes its JSON).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk_common.lua")
local token = os.getenv("CW_TOKEN")
local points = dofile(os.getenv("CW_POINTS"))
local categories = { "06010", "07001", "09006", "09001", "06002", "03002", "01005", "09003" }
request = function()
  local p = points[math.random(#points)]
  local body = string.format(
    '{"kind":"event","category":"%s","title":"压测上报","description":"bench","location":{"lon":%.6f,"lat":%.6f},"channel":"app"}',
    categories[math.random(#categories)], p[1], p[2])
  return wrk.format("POST", "/api/v1/cases",
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
end
