#!/usr/bin/env python3
"""write-sqlite.py - WAL bytes and CPU of writing 2,000 cases' search terms (80 each, from
a vocabulary of 3,000) on SQLite: as case_terms rows (before migration 15) and as one
case_fts row each (after), one case per commit and 20 per commit (group commit), the
latter also with a SAVEPOINT around each case as the group-committing writer does.
python3 write-sqlite.py [dir]"""
import os, random, sqlite3, sys, time

d = sys.argv[1] if len(sys.argv) > 1 else "/tmp"

def fresh(name):
    path = os.path.join(d, name)
    for f in (path, path + "-wal", path + "-shm"):
        if os.path.exists(f):
            os.remove(f)
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = OFF")
    con.execute("PRAGMA wal_autocheckpoint = 0")  # the WAL keeps every frame written
    return con, path

def run(kind, batch, savepoint):
    con, path = fresh("write-%s.db" % kind)
    if kind == "fts":
        con.execute("CREATE VIRTUAL TABLE case_fts USING fts5(terms, content='', "
                    "detail='none', columnsize=0, tokenize='ascii')")
        ins = lambda n, terms: con.execute(
            "INSERT INTO case_fts (rowid, terms) VALUES (?, ?)", (n, " ".join(terms)))
    else:
        con.execute("CREATE TABLE case_terms (term TEXT NOT NULL, case_id INTEGER NOT NULL, "
                    "PRIMARY KEY (term, case_id)) WITHOUT ROWID")
        con.execute("CREATE INDEX case_terms_case ON case_terms (case_id)")
        ins = lambda n, terms: con.executemany(
            "INSERT INTO case_terms VALUES (?, ?)", [(t, n) for t in terms])
    random.seed(1)
    vocab = ["t%d" % i for i in range(3000)]
    n = 0
    con.execute("BEGIN")  # 20,000 cases first, so the trees have their size
    for _ in range(20000):
        n += 1
        ins(n, random.sample(vocab, 80))
    con.execute("COMMIT")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    t0 = time.process_time()
    for _ in range(2000 // batch):
        con.execute("BEGIN")
        for _ in range(batch):
            n += 1
            if savepoint:
                con.execute("SAVEPOINT s")
            ins(n, random.sample(vocab, 80))
            if savepoint:
                con.execute("RELEASE s")
        con.execute("COMMIT")
    wal = os.path.getsize(path + "-wal")
    print("%-10s %2d cases/commit%s: WAL %6.1f KB per case, CPU %.2f ms per case" %
          (kind, batch, " + savepoints" if savepoint else "             ",
           wal / 2000 / 1024, (time.process_time() - t0) * 1000 / 2000))

for kind in ("case_terms", "fts"):
    run(kind, 1, False)
    run(kind, 20, False)
    run(kind, 20, True)
