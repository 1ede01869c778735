-- wrk script: a filtered first page of GET /api/v1/cases, 50 a page, with the filters of
-- the console's home pages (open or a status, the city or a district, overdue or not):
-- the query strings of bench/case_list.txt, drawn at random. CW_TOKEN, CW_WRK_OUT as
-- case_create.lua.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "wrk_common.lua")
local token = os.getenv("CW_TOKEN")
local queries = {}
for line in io.lines(dir .. "case_list.txt") do
  if line ~= "" and line:sub(1, 1) ~= "#" then queries[#queries + 1] = line end
end
request = function()
  return wrk.format("GET", "/api/v1/cases?" .. queries[math.random(#queries)],
    { ["Authorization"] = "Bearer " .. token })
end
