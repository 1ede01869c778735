-- plans-pg.sql - the case list's search queries on the generated rows (gen-pg.sql).
\echo '--- common term 垃圾 (10%), EXISTS shape'
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) SELECT c.id FROM cases c JOIN regions g ON g.code = c.region WHERE 1 = 1 AND (g.path = '340600000000' OR (g.path > '340600000000' || '/' AND g.path < '340600000000' || '0')) AND EXISTS (SELECT 1 FROM case_terms t WHERE t.term = '垃圾' AND t.case_id = c.id) AND EXISTS (SELECT 1 FROM case_search_text s WHERE s.case_id = c.id AND strpos(s.body, '垃圾') > 0) ORDER BY c.id DESC LIMIT 51;
\echo '--- rare term 窨井 (3 cases), IN shape'
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) SELECT c.id FROM cases c JOIN regions g ON g.code = c.region WHERE 1 = 1 AND (g.path = '340600000000' OR (g.path > '340600000000' || '/' AND g.path < '340600000000' || '0')) AND c.id IN (SELECT t.case_id FROM case_terms t WHERE t.term = '窨井') AND EXISTS (SELECT 1 FROM case_search_text s WHERE s.case_id = c.id AND strpos(s.body, '窨井') > 0) ORDER BY c.id DESC LIMIT 51;
\echo '--- the rarity probe'
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) SELECT count(*) FROM (SELECT case_id FROM case_terms WHERE term = '垃圾' ORDER BY case_id DESC LIMIT 1001) x;
