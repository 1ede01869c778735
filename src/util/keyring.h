/* keyring.h - the keys that protect personal data at rest, from a file outside the
 * database.
 *
 * The key file has one key per line, "<id> <64 hex digits>" (32 bytes of key material),
 * the last line being the current key; '#' lines and blank lines are ignored. Ids are
 * 1-32 characters of [A-Za-z0-9_-]. The file must not be readable or writable by group
 * or others (mode 0600), or it is refused. Each line's SM4 key is derived from its
 * material as HMAC-SM3(material, "civicgrid pii sm4-gcm v1")[0..16), so the same
 * material can later give other keys (a search index) by another label.
 *
 * A value is sealed as the text "sm4gcm:<key id>:<base64 of nonce|ciphertext|tag>"
 * (SM4-GCM, util/crypto.h) with a label (the column name) as associated data, so a
 * value cannot be moved to another column. A keyring is safe to use from many threads;
 * cw_keyring_refresh re-reads the file when it changed. */
#ifndef CW_UTIL_KEYRING_H
#define CW_UTIL_KEYRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cw_arena;
struct cw_keyring;

#define CW_KEY_ID_MAX 33 /* 32 characters and NUL */
#define CW_KEYRING_PREFIX "sm4gcm:"

/* Reads the key file at path. With create, a missing file is made first with one fresh
 * random key "k1" (file 0600, its directory 0700 when it has to be made). NULL on any
 * problem, described in err: missing, unreadable, readable by group or others, a bad
 * line, no key. */
struct cw_keyring *cw_keyring_load(const char *path, bool create, char *err, size_t errlen);
void cw_keyring_free(struct cw_keyring *kr);

/* Re-reads the file when its size, mtime or inode changed since the last read (or
 * always with force). Returns 1 when the keys were replaced, 0 when nothing changed,
 * -1 when the file is now unusable (err says why; the keys already loaded stay). */
int cw_keyring_refresh(struct cw_keyring *kr, bool force, char *err, size_t errlen);

/* The current key's id into id (CW_KEY_ID_MAX bytes). */
void cw_keyring_current(struct cw_keyring *kr, char id[CW_KEY_ID_MAX]);
/* The ids of every key, in file order, into ids[0..max); the count. */
int cw_keyring_ids(struct cw_keyring *kr, char (*ids)[CW_KEY_ID_MAX], int max);

/* Seals plaintext under the current key with `label` as associated data; the text in
 * the arena, or NULL on a failure of the cipher. */
const char *cw_keyring_seal(struct cw_keyring *kr, struct cw_arena *a, const char *label,
			    const char *plaintext);
/* Opens a sealed text into the arena. 0, or -1 when it is not a sealed value, its key
 * is not in the file (after one re-read of the file, in case it was rotated), or it
 * does not authenticate (another label, a changed byte, a wrong key). */
int cw_keyring_open(struct cw_keyring *kr, struct cw_arena *a, const char *label,
		    const char *sealed, const char **plaintext);

/* The key id of a sealed text into id; false when it is not one. Pure parsing. */
bool cw_keyring_key_id(const char *sealed, char id[CW_KEY_ID_MAX]);

/* Appends a new random key to the file (which must exist and pass the mode check),
 * making it the current one; its id ("k<n+1>" after the highest "k<n>") into new_id.
 * 0, or -1 with err. */
int cw_keyring_rotate_file(const char *path, char new_id[CW_KEY_ID_MAX], char *err,
			   size_t errlen);

#endif
