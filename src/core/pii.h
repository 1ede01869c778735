/* pii.h - a reporter's name and phone number: what is valid, and how they are masked.
 *
 * Pure rules (PIPL: personal information shown only as far as a role needs it). The
 * values are stored encrypted (util/keyring.h); these decide what they may be and
 * what a user without the permission CW_PERM_PII_VIEW sees of them. */
#ifndef CW_CORE_PII_H
#define CW_CORE_PII_H

#include <stdbool.h>
#include <stddef.h>

#define CW_PII_NAME_MAX 50  /* characters */
#define CW_PII_PHONE_MAX 20 /* bytes, the longest valid phone number and then some */
/* Room for a masked value: a name of CW_PII_NAME_MAX characters is at most 4 bytes for
 * the first and one '*' for each other; a phone is masked byte for byte. */
#define CW_PII_MASK_MAX (4 + CW_PII_NAME_MAX + 1)

/* A name: valid UTF-8 of 1 to 50 characters, no control characters (C0, DEL, C1, line
 * and paragraph separators), not only spaces. */
bool cw_pii_name_valid(const char *s);
/* A phone number of the mainland a person can be called back on:
 *   mobile    1[3-9] and 9 more digits            13812345678
 *   landline  0, a 2- or 3-digit area code (010, 02x: 2; others 3), an optional '-',
 *             and a 7- or 8-digit number            0561-3051234, 05613051234, 010-12345678
 * Digits only otherwise: no spaces, no +86, no extension. Five-digit service numbers
 * (12345) are refused: they reach a hotline, not the person who reported. */
bool cw_pii_phone_valid(const char *s);

/* "张三丰" → "张**"; a one-character name → "*". UTF-8 aware; invalid UTF-8 or an empty
 * string gives "*". out holds CW_PII_MASK_MAX bytes. */
void cw_pii_mask_name(const char *s, char out[CW_PII_MASK_MAX]);
/* Mobile: the first 3 and the last 4 digits (138****5678); landline: the area code (and
 * its '-') and the last 4 digits (0561-***1234); anything else of 8 bytes or more the
 * first 3 and last 4, shorter values all stars, one per byte. */
void cw_pii_mask_phone(const char *s, char out[CW_PII_MASK_MAX]);

#endif
