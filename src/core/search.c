/* search.c - index terms and query terms of case text; see search.h. */
#include "core/search.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "util/text.h"

enum cls { SEP, WORD, CJK };

/* Next code point of valid UTF-8 at *p (advanced), its byte length in *len. */
static uint32_t next_cp(const char **p, size_t *len)
{
	const unsigned char *s = (const unsigned char *)*p;
	uint32_t cp;
	size_t n;
	if (s[0] < 0x80) {
		cp = s[0];
		n = 1;
	} else if ((s[0] & 0xE0) == 0xC0 && s[1]) {
		cp = ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
		n = 2;
	} else if ((s[0] & 0xF0) == 0xE0 && s[1] && s[2]) {
		cp = ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
		n = 3;
	} else if ((s[0] & 0xF8) == 0xF0 && s[1] && s[2] && s[3]) {
		cp = ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
		     ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
		n = 4;
	} else { /* not valid UTF-8: one byte, a separator */
		cp = 0xFFFD;
		n = 1;
	}
	*p += n;
	*len = n;
	return cp;
}

/* Full-width ASCII to ASCII, the ideographic space to a space, ASCII lower-cased. */
static uint32_t fold_cp(uint32_t cp)
{
	if (cp >= 0xFF01 && cp <= 0xFF5E)
		cp -= 0xFEE0;
	else if (cp == 0x3000)
		cp = ' ';
	if (cp >= 'A' && cp <= 'Z')
		cp += 'a' - 'A';
	return cp;
}

static enum cls classify(uint32_t cp)
{
	if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9'))
		return WORD;
	if ((cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
	    (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FFFF) ||
	    (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0xAC00 && cp <= 0xD7AF) || cp == 0x3007)
		return CJK;
	return SEP;
}

/* The folded code point written as UTF-8 to out (room for 4); its length. */
static size_t put_cp(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

size_t cw_search_fold(const char *text, char *out, size_t outlen)
{
	size_t o = 0;
	if (!outlen)
		return 0;
	const char *p = text ? text : "";
	while (*p) {
		size_t n;
		const char *start = p;
		uint32_t cp = next_cp(&p, &n);
		char b[4];
		size_t bn = cp == 0xFFFD ? n : put_cp(fold_cp(cp), b);
		if (o + bn >= outlen)
			break;
		memcpy(out + o, cp == 0xFFFD ? start : b, bn);
		o += bn;
	}
	out[o] = 0;
	return o;
}

/* ---- a set of terms: the caller's array and a hash of indices into it ---- */

#define SET_SLOTS 4096 /* a power of two, over twice CW_SEARCH_TERMS_MAX */

struct term_set {
	cw_search_term *terms;
	int *n, max;
	short slot[SET_SLOTS]; /* index + 1, 0 empty */
};

static uint32_t hash_str(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* Adds s[0..len) unless present or the set is full. 1 when added. */
static int set_add(struct term_set *set, const char *s, size_t len)
{
	if (len == 0 || len >= CW_SEARCH_TERM_LEN)
		return 0;
	uint32_t h = hash_str(s, len) & (SET_SLOTS - 1);
	while (set->slot[h]) {
		const char *t = set->terms[set->slot[h] - 1];
		if (strlen(t) == len && memcmp(t, s, len) == 0)
			return 0;
		h = (h + 1) & (SET_SLOTS - 1);
	}
	if (*set->n >= set->max)
		return 0;
	memmove(set->terms[*set->n], s, len);
	set->terms[*set->n][len] = 0;
	set->slot[h] = (short)(++*set->n);
	return 1;
}

static void set_init(struct term_set *set, cw_search_term *terms, int *n, int max)
{
	memset(set->slot, 0, sizeof set->slot);
	set->terms = terms;
	set->n = n;
	set->max = max > CW_SEARCH_TERMS_MAX ? CW_SEARCH_TERMS_MAX : max;
	int have = *n;
	*n = 0;
	for (int i = 0; i < have; i++) /* rebuild the hash over what is there */
		set_add(set, terms[i], strlen(terms[i]));
	/* duplicates already present (none when built here) are dropped */
}

int cw_search_index_terms(const char *text, cw_search_term *terms, int *n, int max)
{
	static _Thread_local struct term_set set;
	set_init(&set, terms, n, max);
	int before = *n;
	const char *p = text ? text : "";
	char word[CW_SEARCH_WORD_MAX];
	size_t wlen = 0;
	char prev[4];
	size_t prevlen = 0; /* the previous CJK character, 0: none */
	for (;;) {
		size_t bytes;
		uint32_t cp = *p ? fold_cp(next_cp(&p, &bytes)) : 0;
		enum cls k = cp ? classify(cp) : SEP;
		if (k != WORD && wlen) { /* a word ends: its prefixes */
			for (size_t i = 1; i <= wlen; i++)
				set_add(&set, word, i);
			wlen = 0;
		}
		if (k == WORD) {
			if (wlen < sizeof word)
				word[wlen++] = (char)cp;
		}
		if (k == CJK) {
			char cur[4], pair[8];
			size_t clen = put_cp(cp, cur);
			set_add(&set, cur, clen);
			if (prevlen) {
				memcpy(pair, prev, prevlen);
				memcpy(pair + prevlen, cur, clen);
				set_add(&set, pair, prevlen + clen);
			}
			memcpy(prev, cur, clen);
			prevlen = clen;
		} else {
			prevlen = 0;
		}
		if (!cp)
			break;
	}
	return *n - before;
}

enum cw_ec cw_search_query_parse(const char *q, struct cw_search_query *out)
{
	memset(out, 0, sizeof *out);
	if (!q || !cw_utf8_valid(q, strlen(q)) || cw_utf8_len(q) > CW_SEARCH_QUERY_MAX)
		return CW_EC_INVALID_QUERY;
	static _Thread_local struct term_set set;
	set_init(&set, out->terms, &out->nterms, CW_SEARCH_QUERY_TERMS_MAX);
	const char *p = q;
	char *frag = NULL;
	size_t flen = 0;
	char word[CW_SEARCH_WORD_MAX];
	size_t wlen = 0;
	char prev[4];
	size_t prevlen = 0;
	bool run_single = false; /* the CJK run so far is one character */
	for (;;) {
		size_t bytes;
		uint32_t cp = *p ? fold_cp(next_cp(&p, &bytes)) : 0;
		enum cls k = cp ? classify(cp) : SEP;
		if (k != WORD && wlen) {
			set_add(&set, word, wlen);
			wlen = 0;
		}
		if (k != CJK && prevlen) {
			if (run_single)
				set_add(&set, prev, prevlen);
			prevlen = 0;
		}
		if (k == SEP) {
			if (frag) { /* a fragment ends: keep it unless it repeats one */
				frag[flen] = 0;
				for (int i = 0; i < out->nfragments; i++)
					if (strcmp(out->fragments[i], frag) == 0) {
						flen = 0;
						break;
					}
				if (flen)
					out->nfragments++;
				frag = NULL;
			}
			if (!cp)
				break;
			continue;
		}
		if (!frag) {
			frag = out->fragments[out->nfragments];
			flen = 0;
		}
		char cur[4];
		size_t clen = put_cp(cp, cur);
		memcpy(frag + flen, cur, clen);
		flen += clen;
		if (k == WORD) {
			if (wlen < sizeof word)
				word[wlen++] = (char)cp;
		} else {
			if (prevlen) {
				char pair[8];
				memcpy(pair, prev, prevlen);
				memcpy(pair + prevlen, cur, clen);
				set_add(&set, pair, prevlen + clen);
				run_single = false;
			} else {
				run_single = true;
			}
			memcpy(prev, cur, clen);
			prevlen = clen;
		}
	}
	return out->nfragments ? CW_EC_OK : CW_EC_INVALID_QUERY;
}
