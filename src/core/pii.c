/* pii.c - reporter name and phone rules; see pii.h. */
#include "core/pii.h"

#include <string.h>

/* The next code point of s at *i (valid UTF-8 assumed checked), or -1. */
static long next_cp(const unsigned char *s, size_t *i)
{
	unsigned char c = s[*i];
	int extra = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
	if (extra < 0)
		return -1;
	long cp = extra == 0 ? c : c & (0x3F >> extra);
	(*i)++;
	for (int k = 0; k < extra; k++) {
		unsigned char d = s[*i];
		if ((d & 0xC0) != 0x80)
			return -1;
		cp = (cp << 6) | (d & 0x3F);
		(*i)++;
	}
	static const long min[] = {0, 0x80, 0x800, 0x10000};
	if (cp < min[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	return cp;
}

bool cw_pii_name_valid(const char *s)
{
	if (!s)
		return false;
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, chars = 0;
	bool visible = false;
	while (u[i]) {
		long cp = next_cp(u, &i);
		if (cp < 0 || cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 ||
		    cp == 0x2029)
			return false;
		if (cp != ' ' && cp != 0x3000)
			visible = true;
		if (++chars > CW_PII_NAME_MAX)
			return false;
	}
	return chars > 0 && visible;
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* The length of a landline's area code (with its leading 0), or 0. */
static size_t area_len(const char *s)
{
	if (s[0] != '0' || s[1] < '1' || s[1] > '9')
		return 0;
	return s[1] == '1' || s[1] == '2' ? 3 : 4;
}

bool cw_pii_phone_valid(const char *s)
{
	if (!s)
		return false;
	size_t n = strlen(s);
	if (n == 11 && s[0] == '1' && s[1] >= '3' && s[1] <= '9' && all_digits(s, n))
		return true;
	size_t a = area_len(s);
	if (!a || n <= a || !all_digits(s, a))
		return false;
	const char *rest = s + a;
	if (*rest == '-')
		rest++;
	size_t m = strlen(rest);
	return (m == 7 || m == 8) && rest[0] != '0' && all_digits(rest, m);
}

void cw_pii_mask_name(const char *s, char out[CW_PII_MASK_MAX])
{
	const unsigned char *u = (const unsigned char *)(s ? s : "");
	size_t i = 0, o = 0, chars = 0;
	strcpy(out, "*");
	if (!u[0] || next_cp(u, &i) < 0)
		return;
	size_t first = i;
	while (u[i]) {
		if (next_cp(u, &i) < 0)
			return;
		chars++;
	}
	if (chars == 0)
		return; /* a one-character name shows nothing */
	memcpy(out, u, first);
	o = first;
	for (size_t k = 0; k < chars && o + 1 < CW_PII_MASK_MAX; k++)
		out[o++] = '*';
	out[o] = 0;
}

void cw_pii_mask_phone(const char *s, char out[CW_PII_MASK_MAX])
{
	s = s ? s : "";
	size_t n = strlen(s);
	if (n >= CW_PII_MASK_MAX)
		n = CW_PII_MASK_MAX - 1;
	size_t keep_head = 0, keep_tail = 0;
	size_t a = area_len(s);
	if (a && cw_pii_phone_valid(s)) {
		keep_head = a + (s[a] == '-');
		keep_tail = 4;
	} else if (n >= 8) {
		keep_head = 3;
		keep_tail = 4;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = i < keep_head || i >= n - keep_tail ? s[i] : '*';
	out[n] = 0;
}
