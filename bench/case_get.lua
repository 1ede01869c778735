-- wrk script: GET /api/v1/cases/{id} at random ids 1..CW_CASES (the generated cases),
-- with the case's timeline and allowed actions. CW_TOKEN, CW_WRK_OUT as case_create.lua.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk_common.lua")
local token = os.getenv("CW_TOKEN")
local cases = tonumber(os.getenv("CW_CASES"))
request = function()
  return wrk.format("GET", "/api/v1/cases/" .. math.random(cases),
    { ["Authorization"] = "Bearer " .. token })
end
