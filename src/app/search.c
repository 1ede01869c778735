/* search.c - keeps the case search index (core/search.h, store_search.c) current. */
#include "app/app.h"

#include <string.h>

#include "core/search.h"
#include "util/arena.h"

int cw_case_index_tx(struct cw_tx *tx, const struct cw_case *c)
{
	struct cw_arena *a = cw_store_tx_arena(tx);
	/* In order of importance: the cap keeps the first terms. */
	const char *fields[4] = {c->number, c->title, c->address, c->description};
	/* 64 KB: per thread, not per case in the arena (the demo generator indexes 5,000
	 * cases in one transaction, which made 320 MB of term arrays). */
	static _Thread_local cw_search_term terms[CW_SEARCH_TERMS_MAX];
	int n = 0;
	size_t total = 0;
	for (int i = 0; i < 4; i++) {
		if (!fields[i])
			continue;
		cw_search_index_terms(fields[i], terms, &n, CW_SEARCH_TERMS_MAX);
		total += strlen(fields[i]) + 1;
	}
	/* The folded text, fields apart by a newline so no fragment spans two. */
	char *body = cw_arena_alloc(a, total + 1);
	size_t o = 0;
	for (int i = 0; i < 4; i++) {
		if (!fields[i])
			continue;
		o += cw_search_fold(fields[i], body + o, total + 1 - o);
		body[o++] = '\n';
	}
	body[o] = 0;
	return cw_store_case_terms_replace(tx, c->id, terms, n, body);
}
