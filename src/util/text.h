/* text.h - small text helpers for outside input: UTF-8 checks and number parsing.
 * All functions are total: any byte string gives a defined answer. */
#ifndef CW_UTIL_TEXT_H
#define CW_UTIL_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool cw_utf8_valid(const char *s, size_t n);
/* Number of code points in a valid UTF-8 string. */
size_t cw_utf8_len(const char *s);
/* Decimal int64 in [min, max], whole string, no sign games ("+1", " 1" are rejected). */
bool cw_parse_int(const char *s, int64_t min, int64_t max, int64_t *out);
bool cw_all_digits(const char *s, size_t n);
/* The decimal text of v into buf (at least 20 bytes), not terminated; its length. The
 * same text as "%lld", without printf's machinery (hot in the store and JSON writer). */
size_t cw_int_text(int64_t v, char *buf);

#endif
