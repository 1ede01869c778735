/* store_search.c - the case search index and each case's folded text; see store.h and
 * core/search.h.
 *
 * PostgreSQL: (term, case) rows in case_terms. SQLite (migration 15): one row per case
 * in the contentless FTS5 table case_fts (rowid = case id, the terms joined by spaces;
 * the ascii tokenizer keeps every non-ASCII character and splits on ASCII
 * non-alphanumerics, so each of our terms is one token, unchanged). FTS5 buffers a
 * transaction's terms and writes them as one compact segment at commit, where
 * case_terms dirtied one B-tree leaf per term (~80 per case); the rows are written at
 * the transaction's end (fts_write_now). */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/search.h"
#include "store/store.h"
#include "store/store_int.h"
#include "util/arena.h"
#include "util/clock.h"

#define BATCH 200 /* terms per INSERT statement */

/* terms[0..n) joined by spaces, in the transaction's arena. */
static char *join_terms(struct cw_tx *tx, const cw_search_term *terms, int n)
{
	size_t total = 1;
	for (int i = 0; i < n; i++)
		total += strlen(terms[i]) + 1;
	char *s = cw_arena_alloc(cw_tx_arena(tx), total);
	size_t o = 0;
	for (int i = 0; i < n; i++) {
		size_t l = strlen(terms[i]);
		if (i)
			s[o++] = ' ';
		memcpy(s + o, terms[i], l);
		o += l;
	}
	s[o] = 0;
	return s;
}

/* The case's folded text, which every search hit is checked against. */
static int put_body(struct cw_tx *tx, int64_t case_id, const char *body)
{
	return CW_TXQ(tx,
		      "INSERT INTO case_search_text (case_id, body) VALUES ($1, $2) "
		      "ON CONFLICT (case_id) DO UPDATE SET body = excluded.body",
		      NULL, CW_P_INT(case_id), CW_P_TEXT(cw_store_str(body)));
}

/* SQLite: the case's row of case_fts replaced by terms[0..n), then its folded text.
 * A contentless table forgets what it indexed, and its 'delete' command must be given
 * the old terms exactly. They are recomputed from the stored folded text: the index
 * terms of a folded text are those of the original (folding is idempotent and the
 * terms are folded anyway), and the fields, joined by a newline (a separator), give in
 * one call the terms, in the order and under the cap, of one call per field
 * (app/search.c; tests/unit/test_search_fts.c checks it). Should a caller ever hand a
 * body that does not match its terms, a stale term can still only add candidates:
 * every hit is checked against the folded text's substrings (cw_store_case_search_conds),
 * so results stay right. */
/* The FTS5 part of a replace, run at the end of the transaction (cw_tx_later): FTS5
 * writes out its pending terms at every SAVEPOINT and RELEASE, and group commit runs
 * each caller in a savepoint, so terms written in place cost a segment and a merge
 * step per case (190,000 instructions a created case); at the end, one segment per
 * commit. Replaces of one case run in the order they were made, so each 'delete'
 * still names exactly the terms its row holds by then. */
struct fts_write {
	int64_t case_id;
	const char *old_terms, *new_terms; /* joined by spaces; NULL: none */
};

static int fts_write_now(struct cw_tx *tx, void *p)
{
	const struct fts_write *w = p;
	int rc = CW_DB_OK;
	if (w->old_terms)
		rc = CW_TXQ(tx,
			    "INSERT INTO case_fts (case_fts, rowid, terms) VALUES ('delete', $1, $2)",
			    NULL, CW_P_INT(w->case_id), CW_P_TEXT(w->old_terms));
	if (rc == CW_DB_OK && w->new_terms)
		rc = CW_TXQ(tx, "INSERT INTO case_fts (rowid, terms) VALUES ($1, $2)", NULL,
			    CW_P_INT(w->case_id), CW_P_TEXT(w->new_terms));
	return rc;
}

static int fts_replace(struct cw_tx *tx, int64_t case_id, const cw_search_term *terms, int n,
		       const char *body)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx, "SELECT body FROM case_search_text WHERE case_id = $1", &r,
			CW_P_INT(case_id));
	if (rc != CW_DB_OK)
		return rc;
	struct fts_write *w = cw_arena_alloc(cw_tx_arena(tx), sizeof *w);
	*w = (struct fts_write){.case_id = case_id};
	if (r.nrows > 0) {
		/* Per thread, not per case in the arena (see app/search.c). */
		static _Thread_local cw_search_term old[CW_SEARCH_TERMS_MAX];
		int k = 0;
		cw_search_index_terms(cw_db_cell(&r, 0, 0), old, &k, CW_SEARCH_TERMS_MAX);
		if (k > 0)
			w->old_terms = join_terms(tx, old, k);
	}
	if (n > 0)
		w->new_terms = join_terms(tx, terms, n);
	if (w->old_terms || w->new_terms) {
		rc = cw_tx_later(tx, fts_write_now, w);
		if (rc != CW_DB_OK)
			return rc;
	}
	return put_body(tx, case_id, body);
}

int cw_store_case_terms_replace(struct cw_tx *tx, int64_t case_id, const cw_search_term *terms,
				int n, const char *body)
{
	if (cw_tx_dialect(tx) != CW_DIALECT_PG)
		return fts_replace(tx, case_id, terms, n, body);
	int rc = CW_TXQ(tx, "DELETE FROM case_terms WHERE case_id = $1", NULL, CW_P_INT(case_id));
	if (rc != CW_DB_OK)
		return rc;
	for (int from = 0; from < n; from += BATCH) {
		int k = n - from < BATCH ? n - from : BATCH;
		char sql[64 + BATCH * 16];
		struct cw_db_param p[BATCH + 1];
		size_t len = (size_t)snprintf(sql, sizeof sql,
					      "INSERT INTO case_terms (term, case_id) VALUES ");
		p[0] = CW_P_INT(case_id);
		for (int i = 0; i < k; i++) {
			p[i + 1] = CW_P_TEXT(terms[from + i]);
			len += (size_t)snprintf(sql + len, sizeof sql - len, "%s($%d, $1)",
						i ? ", " : "", i + 2);
		}
		rc = cw_tx_query(tx, sql, p, k + 1, NULL);
		if (rc != CW_DB_OK)
			return rc;
	}
	return put_body(tx, case_id, body);
}

/* The fragments of qq: each a substring of the case's folded text. */
static void substring_conds(struct cw_tx *tx, const struct cw_search_query *qq, char *sql,
			    size_t size, size_t *len, struct cw_db_param *p, int *np)
{
	const char *has = cw_tx_dialect(tx) == CW_DIALECT_PG ? "strpos" : "instr";
	if (*len < size)
		*len += (size_t)snprintf(sql + *len, size - *len,
					 " AND EXISTS (SELECT 1 FROM case_search_text s "
					 "WHERE s.case_id = c.id");
	for (int i = 0; i < qq->nfragments; i++) {
		p[(*np)++] = CW_P_TEXT(qq->fragments[i]);
		if (*len < size)
			*len += (size_t)snprintf(sql + *len, size - *len,
						 " AND %s(s.body, $%d) > 0", has, *np);
	}
	if (*len < size)
		*len += (size_t)snprintf(sql + *len, size - *len, ")");
}

/* ---- SQLite: how many cases have a term, from the fts5vocab table case_fts_vocab
 * (migration 19), cached for the whole process ----
 * Reading a count walks the term's doclist (12-20 ms for a bigram in 830,000 cases at
 * 1,000,000), so counts live VOCAB_LIFE_MS in a small direct-mapped cache. A count only
 * decides which terms go into the MATCH; every hit is checked against the case's folded
 * text, so a stale count (or one of another database in the same process) costs time,
 * never a wrong result. */
#define VOCAB_SLOTS 1024 /* a power of two */
#define VOCAB_LIFE_MS 300000

struct vocab_slot {
	cw_search_term term;
	int64_t docs, at_ms;
};
static struct vocab_slot vocab[VOCAB_SLOTS];
static pthread_mutex_t vocab_lock = PTHREAD_MUTEX_INITIALIZER;

static uint32_t vocab_hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h & (VOCAB_SLOTS - 1);
}

/* The number of cases indexed with `term`; -1 when it cannot be read (no vocab table:
 * the caller then keeps every term). */
static int64_t term_docs(struct cw_tx *tx, const char *term)
{
	uint32_t h = vocab_hash(term);
	int64_t now = cw_now_ms(), docs = -1;
	pthread_mutex_lock(&vocab_lock);
	if (vocab[h].at_ms && now - vocab[h].at_ms < VOCAB_LIFE_MS &&
	    strcmp(vocab[h].term, term) == 0)
		docs = vocab[h].docs;
	pthread_mutex_unlock(&vocab_lock);
	if (docs >= 0)
		return docs;
	struct cw_db_result r;
	if (CW_TXQ(tx, "SELECT doc FROM case_fts_vocab WHERE term = $1", &r, CW_P_TEXT(term)) !=
	    CW_DB_OK)
		return -1;
	docs = r.nrows > 0 ? cw_db_cell_int(&r, 0, 0) : 0;
	pthread_mutex_lock(&vocab_lock);
	snprintf(vocab[h].term, sizeof vocab[h].term, "%s", term);
	vocab[h].docs = docs;
	vocab[h].at_ms = now ? now : 1;
	pthread_mutex_unlock(&vocab_lock);
	return docs;
}

/* Up to this many CJK terms go into the MATCH. */
#define PICK_MAX 3
/* The rarest term of another fragment joins the rarest one while it is in at most
 * SPREAD times as many cases: terms of different fragments are nearly independent, so it
 * cuts the candidates the substring check reads (10-20 us each) for little doclist. */
#define SPREAD 32
/* Above this many cases for the rarest term, the next rarest ones join it up to
 * PICK_MAX, even from its own fragment, so that a fragment whose terms are each common
 * but rare together is intersected by FTS5 rather than checked case by case. */
#define RARE1 1000
/* At most this many cases for the rarest term: all its matches are searched at once (a
 * window would save little and could need a second query). */
#define RARE_ALL 500

/* SQLite: which terms of qq go into the MATCH (keep[i]); the number of cases of the
 * rarest CJK term in *rarest (-1: none, or no counts). Every word term (an ASCII
 * prefix: the folded-text check would also accept it inside a word, so the index keeps
 * the from-the-start rule); of the CJK terms only one to PICK_MAX of the rarest. A CJK
 * term (a character, or two adjacent) of a fragment is in the index of every case whose
 * folded text has the fragment, so the substring check that verifies every hit does the
 * rest, without FTS5 intersecting near-complete doclists (村民/委员/员会 are in most
 * addresses). A term no case has sorts first, and its empty doclist ends the query at
 * once. */
static void fts_pick(struct cw_tx *tx, const struct cw_search_query *qq, bool *keep,
		     int64_t *rarest)
{
	int64_t docs[CW_SEARCH_QUERY_TERMS_MAX];
	int order[CW_SEARCH_QUERY_TERMS_MAX], ncjk = 0;
	*rarest = -1;
	for (int i = 0; i < qq->nterms; i++) {
		keep[i] = true;
		if ((unsigned char)qq->terms[i][0] < 0x80)
			continue; /* a word */
		docs[i] = term_docs(tx, qq->terms[i]);
		if (docs[i] < 0)
			return; /* no counts: every term */
		int j = ncjk++;
		while (j > 0 && docs[order[j - 1]] > docs[i]) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
	if (ncjk == 0)
		return;
	bool pick[CW_SEARCH_QUERY_TERMS_MAX] = {0};
	bool frag_done[CW_SEARCH_FRAGMENTS_MAX] = {0};
	int npick = 0;
	*rarest = docs[order[0]];
	/* The rarest term of each fragment, rarest first. */
	for (int k = 0; k < ncjk && npick < PICK_MAX; k++) {
		int i = order[k], f = 0;
		while (f < qq->nfragments && !strstr(qq->fragments[f], qq->terms[i]))
			f++;
		if (f < qq->nfragments && frag_done[f])
			continue;
		if (f < qq->nfragments)
			frag_done[f] = true;
		if (npick > 0 && docs[i] > SPREAD * *rarest)
			break;
		pick[i] = true;
		npick++;
	}
	/* A common rarest term: the next rarest ones too. */
	for (int k = 0; k < ncjk && npick < PICK_MAX && *rarest > RARE1; k++)
		if (!pick[order[k]]) {
			pick[order[k]] = true;
			npick++;
		}
	for (int k = 0; k < ncjk; k++)
		keep[order[k]] = pick[order[k]];
}

/* SQLite: the chosen terms (fts_pick) in one FTS5 MATCH, each a quoted string ("" for a
 * quote, though our terms hold only letters, digits and CJK), ANDed: FTS5 intersects
 * their doclists itself. */
static int fts_conds(struct cw_tx *tx, const struct cw_search_query *qq, int64_t before_id,
		     int *window, char *sql, size_t size, size_t *len, struct cw_db_param *p,
		     int *np)
{
	if (qq->nterms > 0) {
		bool keep[CW_SEARCH_QUERY_TERMS_MAX];
		int64_t rarest;
		fts_pick(tx, qq, keep, &rarest);
		/* A rare term's matches all fit in the window: search them all at once, so
		 * the caller need not search again for a page the window leaves short (the
		 * count may be stale: then the window only bounds less). */
		if (rarest >= 0 && rarest <= RARE_ALL)
			*window = 0;
		size_t cap = 1;
		for (int i = 0; i < qq->nterms; i++)
			cap += 2 * strlen(qq->terms[i]) + 7;
		char *m = cw_arena_alloc(cw_tx_arena(tx), cap);
		size_t o = 0;
		for (int i = 0; i < qq->nterms; i++) {
			if (!keep[i])
				continue;
			if (o) {
				memcpy(m + o, " AND ", 5);
				o += 5;
			}
			m[o++] = '"';
			for (const char *t = qq->terms[i]; *t; t++) {
				if (*t == '"')
					m[o++] = '"';
				m[o++] = *t;
			}
			m[o++] = '"';
		}
		m[o] = 0;
		p[(*np)++] = CW_P_TEXT(m);
		if (*len < size)
			*len += (size_t)snprintf(sql + *len, size - *len,
						 " AND c.id IN (SELECT rowid FROM case_fts "
						 "WHERE case_fts MATCH $%d",
						 *np);
		/* The planner walks the list newest first and applies c.id < $after only
		 * after each lookup; FTS5 applies it to the doclist itself. */
		if (before_id > 0) {
			p[(*np)++] = CW_P_INT(before_id);
			if (*len < size)
				*len += (size_t)snprintf(sql + *len, size - *len,
							 " AND rowid < $%d", *np);
		}
		/* Only the newest matches: a term in 60,000 cases otherwise gives that many
		 * ids to look up (12 ms at 1,000,000 cases) for a page of 50. */
		if (*window > 0) {
			p[(*np)++] = CW_P_INT(*window);
			if (*len < size)
				*len += (size_t)snprintf(sql + *len, size - *len,
							 " ORDER BY rowid DESC LIMIT $%d", *np);
		}
		if (*len < size)
			*len += (size_t)snprintf(sql + *len, size - *len, ")");
	}
	substring_conds(tx, qq, sql, size, len, p, np);
	return *len < size ? CW_DB_OK : CW_DB_ERROR;
}

/* Below this many cases a term is rare enough to drive the query from the index. */
#define RARE 1000

int cw_store_case_search_conds(struct cw_tx *tx, const char *q, int64_t before_id, int *window,
			       char *sql, size_t size, size_t *len, struct cw_db_param *p, int *np,
			       int pmax)
{
	static _Thread_local struct cw_search_query qq;
	if (cw_search_query_parse(q, &qq) != CW_EC_OK)
		return CW_DB_NOTFOUND;
	if (*np + qq.nterms + qq.nfragments + 1 > pmax)
		return CW_DB_ERROR;
	if (cw_tx_dialect(tx) != CW_DIALECT_PG)
		return fts_conds(tx, &qq, before_id, window, sql, size, len, p, np);

	/* The rarest term, counting no further than RARE + 1: an index range scan each that
	 * stops there (ORDER BY keeps PostgreSQL from a bitmap scan of the whole range). */
	int rare = -1;
	int64_t rare_n = RARE + 1;
	for (int i = 0; i < qq.nterms; i++) {
		struct cw_db_result r;
		int rc = CW_TXQ(tx,
				"SELECT count(*) FROM (SELECT case_id FROM case_terms WHERE term = $1 "
				"ORDER BY case_id DESC LIMIT $2) x",
				&r, CW_P_TEXT(qq.terms[i]), CW_P_INT(RARE + 1));
		if (rc != CW_DB_OK)
			return rc;
		int64_t cnt = cw_db_cell_int(&r, 0, 0);
		if (cnt == 0)
			return CW_DB_NOTFOUND; /* a term no case has: nothing matches */
		if (cnt < rare_n) {
			rare_n = cnt;
			rare = i;
		}
	}
#define APPEND(...)                                                                          \
	do {                                                                                 \
		if (*len < size)                                                             \
			*len += (size_t)snprintf(sql + *len, size - *len, __VA_ARGS__);      \
	} while (0)
	for (int i = 0; i < qq.nterms; i++) {
		p[(*np)++] = CW_P_TEXT(qq.terms[i]);
		if (i == rare)
			APPEND(" AND c.id IN (SELECT t.case_id FROM case_terms t WHERE t.term = $%d)",
			       *np);
		else
			APPEND(" AND EXISTS (SELECT 1 FROM case_terms t WHERE t.term = $%d AND "
			       "t.case_id = c.id)",
			       *np);
	}
	const char *has = cw_tx_dialect(tx) == CW_DIALECT_PG ? "strpos" : "instr";
	APPEND(" AND EXISTS (SELECT 1 FROM case_search_text s WHERE s.case_id = c.id");
	for (int i = 0; i < qq.nfragments; i++) {
		p[(*np)++] = CW_P_TEXT(qq.fragments[i]);
		APPEND(" AND %s(s.body, $%d) > 0", has, *np);
	}
	APPEND(")");
#undef APPEND
	return *len < size ? CW_DB_OK : CW_DB_ERROR;
}
