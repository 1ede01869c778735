-- wrk script for the HTTP ceiling: nginx serving a small static JSON file (bench/run
-- writes the file and the config); only the JSON summary of wrk_common.lua (CW_WRK_OUT).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk_common.lua")
