-- wrk script: GET /api/v1/stats/cases?region=&from=&to= (the dashboard's figures), the
-- query string from CW_STATS_QUERY (bench/run: the whole city over the generated year).
-- CW_TOKEN, CW_WRK_OUT as case_create.lua.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk_common.lua")
local token = os.getenv("CW_TOKEN")
local path = "/api/v1/stats/cases?" .. os.getenv("CW_STATS_QUERY")
request = function()
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end
