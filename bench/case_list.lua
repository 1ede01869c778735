-- wrk script: a filtered first page of GET /api/v1/cases (status + district + overdue,
-- 50 a page), filters drawn at random. CW_TOKEN, CW_WRK_OUT as case_create.lua.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk_common.lua")
local token = os.getenv("CW_TOKEN")
local statuses = { "in_progress", "dispatched", "resolved", "closed", "reported" }
local regions = { "340602000000", "340603000000", "340604000000", "340621000000" }
local overdue = { "&overdue=true", "&overdue=false", "" }
request = function()
  local path = string.format("/api/v1/cases?status=%s&region=%s%s&limit=50",
    statuses[math.random(#statuses)], regions[math.random(#regions)], overdue[math.random(#overdue)])
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end
