/* portal.c - the rules of the citizens' portal; see portal.h. */
#include "core/portal.h"

#include <string.h>

#include "util/text.h"

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"; /* Crockford */

void cw_portal_code_make(const uint8_t random[CW_PORTAL_CODE_RANDOM],
			 char canon[CW_PORTAL_CODE_LEN + 1], char shown[CW_PORTAL_CODE_SHOWN + 1])
{
	uint64_t v = 0;
	for (int i = 0; i < CW_PORTAL_CODE_RANDOM; i++)
		v = v << 8 | random[i];
	v >>= 4; /* 60 bits */
	char c[CW_PORTAL_CODE_LEN + 1];
	for (int i = CW_PORTAL_CODE_LEN - 1; i >= 0; i--) {
		c[i] = alphabet[v & 31];
		v >>= 5;
	}
	c[CW_PORTAL_CODE_LEN] = 0;
	if (canon)
		memcpy(canon, c, sizeof c);
	if (shown) {
		size_t k = 0;
		for (int i = 0; i < CW_PORTAL_CODE_LEN; i++) {
			if (i && i % 4 == 0)
				shown[k++] = '-';
			shown[k++] = c[i];
		}
		shown[k] = 0;
	}
}

static int symbol(char ch)
{
	if (ch >= 'a' && ch <= 'z')
		ch = (char)(ch - 'a' + 'A');
	if (ch == 'I' || ch == 'L')
		ch = '1';
	else if (ch == 'O')
		ch = '0';
	const char *p = ch ? strchr(alphabet, ch) : NULL;
	return p ? *p : 0;
}

bool cw_portal_code_normalize(const char *in, char canon[CW_PORTAL_CODE_LEN + 1])
{
	size_t k = 0;
	canon[0] = 0;
	if (!in)
		return false;
	for (const char *p = in; *p; p++) {
		if (*p == '-' || *p == ' ')
			continue;
		int s = symbol(*p);
		if (!s || k == CW_PORTAL_CODE_LEN) {
			canon[0] = 0;
			return false;
		}
		canon[k++] = (char)s;
	}
	canon[k] = 0;
	if (k != CW_PORTAL_CODE_LEN) {
		canon[0] = 0;
		return false;
	}
	return true;
}

/* The code point at s (valid UTF-8), and its length in *len. */
static uint32_t decode(const unsigned char *s, size_t *len)
{
	if (s[0] < 0x80) {
		*len = 1;
		return s[0];
	}
	if ((s[0] & 0xE0) == 0xC0) {
		*len = 2;
		return (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
	}
	if ((s[0] & 0xF0) == 0xE0) {
		*len = 3;
		return (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
	}
	*len = 4;
	return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 |
	       (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
}

static bool is_letter(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool cw_portal_text_ok(const char *s, bool multiline)
{
	if (!s || !cw_utf8_valid(s, strlen(s)))
		return false;
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		size_t len;
		uint32_t cp = decode(p, &len);
		bool line = cp == '\n' || cp == '\r' || cp == '\t';
		if ((cp < 0x20 && !(multiline && line)) || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) ||
		    cp == 0x2028 || cp == 0x2029)
			return false;
		if (cp == '<' && (is_letter(p[1]) || p[1] == '/' || p[1] == '!' || p[1] == '?'))
			return false;
		p += len;
	}
	return true;
}

static bool is_space(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == 0x3000 /* ideographic space */;
}

void cw_portal_title(const char *description, char *out, size_t n)
{
	out[0] = 0;
	if (!description || n < 8 || !cw_utf8_valid(description, strlen(description)))
		return;
	const unsigned char *p = (const unsigned char *)description;
	size_t len;
	/* Skip leading blank lines and spaces. */
	while (*p && (is_space(decode(p, &len)) || *p == '\n' || *p == '\r'))
		p += len;
	size_t k = 0, chars = 0, last_nonspace = 0;
	bool cut = false;
	while (*p && *p != '\n' && *p != '\r') {
		uint32_t cp = decode(p, &len);
		if (chars == CW_PORTAL_TITLE_DERIVED || k + len + 4 > n) {
			cut = true;
			break;
		}
		memcpy(out + k, p, len);
		k += len;
		chars++;
		if (!is_space(cp))
			last_nonspace = k;
		p += len;
	}
	k = last_nonspace;
	if (cut && k) {
		memcpy(out + k, "\xE2\x80\xA6", 3); /* … */
		k += 3;
	}
	out[k] = 0;
}

bool cw_portal_category_public(const char *code, const char *kind)
{
	if (!code || !kind)
		return false;
	if (strcmp(kind, "event") == 0 || strcmp(kind, "service") == 0)
		return true;
	return strcmp(kind, "hazard") == 0 && strncmp(code, "H4", 2) == 0;
}

const char *cw_portal_phase(const char *status)
{
	static const struct {
		const char *status, *phase;
	} map[] = {
	    {"reported", "received"},	   {"registered", "accepted"}, {"rejected", "not_accepted"},
	    {"dispatched", "assigned"},	   {"in_progress", "in_progress"},
	    {"resolved", "checking"},	   {"closed", "closed"},       {"suspended", "on_hold"},
	    {"merged", "merged"},
	};
	for (size_t i = 0; status && i < sizeof map / sizeof map[0]; i++)
		if (strcmp(status, map[i].status) == 0)
			return map[i].phase;
	return "in_progress";
}

static bool starts(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);
	return strncmp(s, prefix, n) == 0 && (s[n] == 0 || s[n] == '.');
}

const char *cw_portal_event(const char *action, const char *status_before,
			    const char *status_after, bool by_citizen, bool *note_public)
{
	*note_public = false;
	if (!action)
		return NULL;
	if (starts(action, "create"))
		return "received";
	if (starts(action, "attach"))
		return by_citizen ? "photo_added" : NULL;
	if (starts(action, "rate"))
		return "rated";
	if (!status_before || !*status_before || !status_after || !*status_after)
		return NULL;
	const char *before = cw_portal_phase(status_before), *after = cw_portal_phase(status_after);
	if (strcmp(before, after) == 0)
		return NULL;
	*note_public = starts(action, "reject") || starts(action, "report_result");
	if (strcmp(after, "in_progress") == 0 &&
	    (strcmp(before, "checking") == 0 || strcmp(before, "closed") == 0))
		return "reopened";
	return after;
}
