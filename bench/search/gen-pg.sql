-- gen-pg.sql - the same as gen-sqlite.sql for PostgreSQL (psql -v ON_ERROR_STOP=1).
SET session_replication_role = replica;
INSERT INTO regions (code, name, level, parent, path, created_at, updated_at) VALUES ('340600000000', '淮北市', 'city', NULL, '340600000000', 0, 0);
INSERT INTO cases (id, number, kind, category, title, description, status, level, region, created_at, updated_at)
SELECT i, '20261127' || lpad(i::text, 6, '0'), 'event', '06010', 't' || i, '', CASE WHEN i % 7 = 0 THEN 'closed' ELSE 'reported' END, 'town', '340600000000', i, i FROM generate_series(1, 200000) i;
INSERT INTO case_search_text (case_id, body) SELECT i, CASE WHEN i % 10 = 3 THEN '路边垃圾' ELSE '' END || CASE WHEN i IN (1000, 90000, 150000) THEN '窨井盖' ELSE '' END || ' w' || (i % 5000) FROM generate_series(1, 200000) i;
INSERT INTO case_terms (term, case_id) SELECT DISTINCT 'w' || ((i * 7 + j * 131) % 5000), i FROM generate_series(1, 200000) i, generate_series(0, 9) j;
INSERT INTO case_terms (term, case_id) SELECT '垃圾', case_id FROM case_search_text WHERE strpos(body, '垃圾') > 0;
INSERT INTO case_terms (term, case_id) SELECT '窨井', case_id FROM case_search_text WHERE strpos(body, '窨井') > 0;
ANALYZE;
