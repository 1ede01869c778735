-- wrk script: GET /api/v1/cases?q=… (a text search, 50 a page), the query drawn at
-- random from CW_QUERIES (a Lua file returning {"<percent-encoded q>", …}: bench/run
-- picks common and rare words of the generated titles and one word found nowhere).
-- CW_TOKEN, CW_WRK_OUT as case_create.lua.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk_common.lua")
local token = os.getenv("CW_TOKEN")
local queries = dofile(os.getenv("CW_QUERIES"))
request = function()
  return wrk.format("GET", "/api/v1/cases?q=" .. queries[math.random(#queries)] .. "&limit=50",
    { ["Authorization"] = "Bearer " .. token })
end
