#!/usr/bin/env python3
"""latency-sqlite.py - times the case list's search query, as store_search.c sends it on
SQLite (FTS5 MATCH driving, substring check on case_search_text, newest first, page of
51), on the cases of gen-sqlite.sql: python3 latency-sqlite.py perf.db [runs]
Prints p50/p99/max wall time and the plan of each shape."""
import sqlite3, sys, time

db = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 200
con = sqlite3.connect(db)
con.execute("PRAGMA cache_size = -65536")  # 64 MiB, like a warmed-up server connection
SCOPE = ("(g.path = '340600000000' OR (g.path > '340600000000' || '/' "
         "AND g.path < '340600000000' || '0'))")

def query(terms, frags, extra="", after=0):
    m = " AND ".join('"%s"' % t.replace('"', '""') for t in terms)
    sub = "SELECT rowid FROM case_fts WHERE case_fts MATCH ?" + (" AND rowid < ?" if after else "")
    sql = ("SELECT c.id, c.number, c.title, c.status FROM cases c JOIN regions g ON g.code = c.region "
           "WHERE 1 = 1 AND " + SCOPE + extra + " AND c.id IN (" + sub + ") AND EXISTS "
           "(SELECT 1 FROM case_search_text s WHERE s.case_id = c.id" +
           "".join(" AND instr(s.body, ?) > 0" for _ in frags) + ")" +
           (" AND c.id < ?" if after else "") + " ORDER BY c.id DESC LIMIT 51")
    params = [m] + ([after] if after else []) + list(frags) + ([after] if after else [])
    return sql, params

shapes = [
    ("common 垃圾 (10%)", query(["垃圾"], ["垃圾"])),
    ("rare 窨井 (3 cases)", query(["窨井"], ["窨井"])),
    ("two terms 路边 垃圾 (together, 10%)", query(["路边", "垃圾"], ["路边", "垃圾"])),
    ("two terms 垃圾 噪音 (10% each, never together)", query(["垃圾", "噪音"], ["垃圾", "噪音"])),
    ("no match 没有", query(["没有"], ["没有"])),
    ("common 垃圾 + status closed", query(["垃圾"], ["垃圾"], " AND c.status = 'closed'")),
    ("common 垃圾, page at id < 500000", query(["垃圾"], ["垃圾"], after=500000)),
    ("word w17 (2,000 cases; the substring check rejects most)", query(["w17"], ["w17"])),
]
print("sqlite %s, %d runs each" % (sqlite3.sqlite_version, runs))
for name, (sql, params) in shapes:
    plan = [r[3] for r in con.execute("EXPLAIN QUERY PLAN " + sql, params)]
    n = len(con.execute(sql, params).fetchall())
    t = []
    c0 = time.process_time()
    for _ in range(runs):
        t0 = time.perf_counter()
        con.execute(sql, params).fetchall()
        t.append((time.perf_counter() - t0) * 1000)
    cpu = (time.process_time() - c0) * 1000 / runs
    t.sort()
    print("%-48s rows %2d  p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms  cpu %6.2f ms/query" %
          (name, n, t[len(t) // 2], t[min(len(t) - 1, int(len(t) * 0.99))], t[-1], cpu))
    print("    plan: " + "; ".join(plan))
