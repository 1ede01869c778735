-- gen-sqlite.sql - 1,000,000 generated cases with search terms, for bench/search/plans-sqlite.sql.
-- Run on a fresh database migrated to 15 or later (the FTS5 index, case_fts):
--   civicgrid migrate --db sqlite:perf.db && sqlite3 perf.db < gen-sqlite.sql
-- 10 filler terms per case from a vocabulary of 5,000; 路边垃圾 (垃圾, 路边, ...) in 10% of
-- cases, 夜间噪音 (噪音, ...) in another 10% (never with 垃圾), 窨井 in three.
PRAGMA foreign_keys = OFF;
PRAGMA journal_mode = WAL;
INSERT INTO regions (code, name, level, parent, path, created_at, updated_at) VALUES ('340600000000', '淮北市', 'city', NULL, '340600000000', 0, 0);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
INSERT INTO cases (id, number, kind, category, title, description, status, level, region, created_at, updated_at)
SELECT i, printf('20261127%07d', i), 'event', '06010', 't' || i, '', CASE WHEN i % 7 = 0 THEN 'closed' ELSE 'reported' END, 'town', '340600000000', i, i FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
INSERT INTO case_search_text (case_id, body) SELECT i, CASE WHEN i % 10 = 3 THEN '路边垃圾' WHEN i % 10 = 7 THEN '夜间噪音' ELSE '' END || CASE WHEN i IN (1000, 450000, 750000) THEN '窨井盖' ELSE '' END || ' w' || (i % 5000) FROM n;
-- One FTS5 row per case, as store_search.c writes it: the distinct terms joined by spaces.
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
INSERT INTO case_fts (rowid, terms)
SELECT i, 'w' || ((i * 7) % 5000) || ' w' || ((i * 7 + 131) % 5000) || ' w' || ((i * 7 + 262) % 5000) || ' w' || ((i * 7 + 393) % 5000) || ' w' || ((i * 7 + 524) % 5000)
  || ' w' || ((i * 7 + 655) % 5000) || ' w' || ((i * 7 + 786) % 5000) || ' w' || ((i * 7 + 917) % 5000) || ' w' || ((i * 7 + 1048) % 5000) || ' w' || ((i * 7 + 1179) % 5000)
  || CASE WHEN i % 10 = 3 THEN ' 路 边 垃 圾 路边 边垃 垃圾' WHEN i % 10 = 7 THEN ' 夜 间 噪 音 夜间 间噪 噪音' ELSE '' END
  || CASE WHEN i IN (1000, 450000, 750000) THEN ' 窨 井 盖 窨井 井盖' ELSE '' END
FROM n;
ANALYZE;
