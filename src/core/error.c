/* error.c - lookups into the error registry; see errors.def. */
#include "core/error.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	int status;
	const char *msg[2];
} registry[] = {
#define X(name, status, zh, en) {#name, status, {zh, en}},
#include "core/errors.def"
#undef X
};

const char *cw_ec_name(enum cw_ec ec)
{
	return ec < CW_EC__COUNT ? registry[ec].name : "INTERNAL";
}

int cw_ec_status(enum cw_ec ec)
{
	return ec < CW_EC__COUNT ? registry[ec].status : 500;
}

const char *cw_ec_message(enum cw_ec ec, enum cw_lang lang)
{
	if (ec >= CW_EC__COUNT)
		ec = CW_EC_INTERNAL;
	return registry[ec].msg[lang == CW_LANG_EN];
}

enum cw_lang cw_lang_from_header(const char *h)
{
	if (!h)
		return CW_LANG_ZH;
	enum cw_lang best = CW_LANG_ZH;
	double best_q = -1;
	const char *p = h;
	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		const char *tag = p;
		while (*p && *p != ';' && *p != ',')
			p++;
		size_t tl = (size_t)(p - tag);
		while (tl && tag[tl - 1] == ' ')
			tl--;
		double q = 1.0;
		if (*p == ';') {
			const char *qs = strstr(p, "q=");
			const char *comma = strchr(p, ',');
			if (qs && (!comma || qs < comma))
				q = strtod(qs + 2, NULL);
			while (*p && *p != ',')
				p++;
		}
		int lang = -1;
		if (tl >= 2 && tolower((unsigned char)tag[0]) == 'e' &&
		    tolower((unsigned char)tag[1]) == 'n' && (tl == 2 || tag[2] == '-'))
			lang = CW_LANG_EN;
		else if (tl >= 2 && tolower((unsigned char)tag[0]) == 'z' &&
			 tolower((unsigned char)tag[1]) == 'h' && (tl == 2 || tag[2] == '-'))
			lang = CW_LANG_ZH;
		/* q=0 means "not acceptable" (RFC 9110 §12.4.2), not a low preference. */
		if (lang >= 0 && q > 0 && q > best_q) {
			best_q = q;
			best = (enum cw_lang)lang;
		}
	}
	return best;
}
