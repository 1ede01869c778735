-- wrk script: a filtered first page of GET /api/v1/cases, 50 a page, with the filters of
-- the console's home pages and list (docs/performance.md, "The console's list filters"):
-- open or a status, a region (the city or a district), overdue or not, drawn at random.
-- CW_TOKEN, CW_WRK_OUT as case_create.lua.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk_common.lua")
local token = os.getenv("CW_TOKEN")
local filters = {
  "open=true&overdue=true",                  -- a district dispatcher's home
  "open=true",                               -- the open cases of the region
  "status=reported",                         -- the intake queue
  "status=dispatched,in_progress&overdue=false",
}
local regions = { "340600000000", "340602000000", "340603000000", "340604000000", "340621000000" }
request = function()
  local path = string.format("/api/v1/cases?%s&region=%s&limit=50",
    filters[math.random(#filters)], regions[math.random(#regions)])
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end
