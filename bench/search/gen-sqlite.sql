-- gen-sqlite.sql - 200,000 generated cases with search terms, for bench/search/plans-sqlite.sql.
-- Run on a fresh database: civicgrid migrate --db sqlite:perf.db && sqlite3 perf.db < gen-sqlite.sql
PRAGMA foreign_keys = OFF;
INSERT INTO regions (code, name, level, parent, path, created_at, updated_at) VALUES ('340600000000', '淮北市', 'city', NULL, '340600000000', 0, 0);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
INSERT INTO cases (id, number, kind, category, title, description, status, level, region, created_at, updated_at)
SELECT i, printf('20261127%05d', i), 'event', '06010', 't' || i, '', CASE WHEN i % 7 = 0 THEN 'closed' ELSE 'reported' END, 'town', '340600000000', i, i FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
INSERT INTO case_search_text (case_id, body) SELECT i, CASE WHEN i % 10 = 3 THEN '路边垃圾' ELSE '' END || CASE WHEN i IN (1000, 90000, 150000) THEN '窨井盖' ELSE '' END || ' w' || (i % 5000) FROM n;
-- 10 filler terms per case from a vocabulary of 5,000; 垃圾 in 10%; 窨井 in three
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000), k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < 9)
INSERT OR IGNORE INTO case_terms (term, case_id) SELECT 'w' || ((i * 7 + j * 131) % 5000), i FROM n, k;
INSERT INTO case_terms (term, case_id) SELECT '垃圾', case_id FROM case_search_text WHERE instr(body, '垃圾') > 0;
INSERT INTO case_terms (term, case_id) SELECT '窨井', case_id FROM case_search_text WHERE instr(body, '窨井') > 0;
ANALYZE;
