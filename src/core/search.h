/* search.h - full-text search terms of case text, the same on SQLite and PostgreSQL.
 *
 * Neither FTS5's trigram tokenizer nor pg_trgm matches terms under three characters,
 * and Chinese search terms are mostly one or two (垃圾, 噪音, 井). So the store keeps its
 * own inverted index of (term, case) built here:
 *   - a run of CJK characters gives every character (unigram) and every adjacent
 *     pair (bigram);
 *   - a run of ASCII letters and digits (a "word") gives each of its prefixes of 1 to
 *     CW_SEARCH_WORD_MAX bytes, lower-cased, so "Road" is found by "ro" and a case
 *     number 2026112700001 by "20261127";
 *   - full-width ASCII is folded first (Ａ → a, １ → 1, the ideographic space to a
 *     space); every other character separates runs.
 * A query is cut into fragments (maximal runs of searchable characters); each
 * fragment must occur in the folded text as a substring, and its terms (a 1-character
 * CJK run: its unigram; a longer one: its bigrams; a word: its prefix term) narrow the
 * candidates through the index first. Words therefore match from their start.
 * Pure: no I/O. */
#ifndef CW_CORE_SEARCH_H
#define CW_CORE_SEARCH_H

#include <stddef.h>

#include "core/error.h"

#define CW_SEARCH_TERM_LEN 32	      /* bytes of one term with its NUL */
#define CW_SEARCH_WORD_MAX 24	      /* longest word prefix indexed, in bytes */
#define CW_SEARCH_TERMS_MAX 2000      /* distinct terms indexed per case, at most */
#define CW_SEARCH_QUERY_MAX 100	      /* characters of a query */
#define CW_SEARCH_QUERY_TERMS_MAX 16  /* index terms a query looks up, at most */
#define CW_SEARCH_FRAGMENTS_MAX 51    /* fragments of a query of CW_SEARCH_QUERY_MAX */

typedef char cw_search_term[CW_SEARCH_TERM_LEN];

/* The folded form of valid UTF-8 text (full-width ASCII to ASCII, ASCII letters
 * lower-cased, everything else kept), written to out (at most outlen bytes with the
 * NUL; never longer than the input). Returns its length. */
size_t cw_search_fold(const char *text, char *out, size_t outlen);

/* Adds the distinct index terms of valid UTF-8 text to terms[0..*n), at most max in
 * all (the first ones win; later ones are dropped once max is reached). Call it once
 * per field, in order of importance. Returns the number of terms added. */
int cw_search_index_terms(const char *text, cw_search_term *terms, int *n, int max);

struct cw_search_query {
	cw_search_term terms[CW_SEARCH_QUERY_TERMS_MAX]; /* all must be indexed */
	int nterms;
	char fragments[CW_SEARCH_FRAGMENTS_MAX][CW_SEARCH_QUERY_MAX * 4 + 1]; /* folded */
	int nfragments; /* all must occur in the folded text */
};

/* Parses a query: INVALID_QUERY when it is not valid UTF-8, longer than
 * CW_SEARCH_QUERY_MAX characters or has no searchable character. */
enum cw_ec cw_search_query_parse(const char *q, struct cw_search_query *out);

#endif
