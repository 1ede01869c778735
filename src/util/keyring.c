/* keyring.c - the key file of personal data; see keyring.h. */
#include "util/keyring.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/arena.h"
#include "util/crypto.h"

#define KEY_MATERIAL_LEN 32
#define MAX_KEYS 1024
#define KDF_LABEL "civicgrid pii sm4-gcm v1"

struct key {
	char id[CW_KEY_ID_MAX];
	uint8_t sm4[CW_SM4_KEY_LEN];
};

struct keys {
	struct key *v;
	int n;
};

struct cw_keyring {
	char *path;
	pthread_rwlock_t lock;
	struct keys keys; /* the last is current */
	struct stat seen; /* of the file as last read */
	pthread_mutex_t reload_mu;
	time_t last_forced; /* a re-read for an unknown key id, at most once a second */
};

static void set_err(char *err, size_t n, const char *fmt, ...)
{
	if (!err || !n)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
}

static void keys_free(struct keys *k)
{
	if (k->v)
		cw_memzero(k->v, (size_t)k->n * sizeof *k->v);
	free(k->v);
	k->v = NULL;
	k->n = 0;
}

static bool id_valid(const char *id, size_t n)
{
	if (n == 0 || n >= CW_KEY_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* Group or other permission bits: a key file anyone but its owner may read is refused. */
static int check_mode(const char *path, const struct stat *st, char *err, size_t errlen)
{
	if (!S_ISREG(st->st_mode)) {
		set_err(err, errlen, "key file %s is not a regular file", path);
		return -1;
	}
	if (st->st_mode & 077) {
		set_err(err, errlen,
			"key file %s is accessible by group or others (mode %04o); it must be "
			"readable by its owner only: chmod 600 %s",
			path, (unsigned)(st->st_mode & 07777), path);
		return -1;
	}
	return 0;
}

/* Parses the file's text into keys. */
static int parse(const char *path, char *text, struct keys *out, char *err, size_t errlen)
{
	out->v = cw_xcalloc(MAX_KEYS, sizeof *out->v);
	out->n = 0;
	int lineno = 0;
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		lineno++;
		size_t len = strlen(line);
		while (len && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
			line[--len] = 0;
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line || *line == '#')
			continue;
		char *sp = strpbrk(line, " \t");
		char *hex = sp;
		while (hex && (*hex == ' ' || *hex == '\t'))
			hex++;
		uint8_t material[KEY_MATERIAL_LEN];
		if (!sp || !id_valid(line, (size_t)(sp - line)) ||
		    cw_hex_decode(hex, material, sizeof material)) {
			set_err(err, errlen,
				"key file %s:%d: expected \"<id> <64 hex digits>\" (id: 1-32 of "
				"A-Z a-z 0-9 _ -)",
				path, lineno);
			cw_memzero(material, sizeof material);
			keys_free(out);
			return -1;
		}
		*sp = 0;
		for (int k = 0; k < out->n; k++)
			if (strcmp(out->v[k].id, line) == 0) {
				set_err(err, errlen, "key file %s:%d: key id %s appears twice", path,
					lineno, line);
				cw_memzero(material, sizeof material);
				keys_free(out);
				return -1;
			}
		if (out->n == MAX_KEYS) {
			set_err(err, errlen, "key file %s: more than %d keys", path, MAX_KEYS);
			keys_free(out);
			return -1;
		}
		struct key *k = &out->v[out->n++];
		snprintf(k->id, sizeof k->id, "%s", line);
		uint8_t d[CW_SM3_LEN];
		cw_hmac_sm3(material, sizeof material, KDF_LABEL, strlen(KDF_LABEL), d);
		memcpy(k->sm4, d, sizeof k->sm4);
		cw_memzero(d, sizeof d);
		cw_memzero(material, sizeof material);
	}
	if (out->n == 0) {
		set_err(err, errlen, "key file %s holds no key", path);
		keys_free(out);
		return -1;
	}
	return 0;
}

/* Reads and parses the file, checking its mode on the open descriptor. */
static int read_keys(const char *path, struct keys *out, struct stat *st, char *err,
		     size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		set_err(err, errlen, "cannot read key file %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, st) || check_mode(path, st, err, errlen)) {
		if (!*err)
			set_err(err, errlen, "cannot read key file %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (st->st_size > 1 << 20) {
		set_err(err, errlen, "key file %s is larger than 1 MiB", path);
		close(fd);
		return -1;
	}
	size_t cap = (size_t)st->st_size + 1, len = 0;
	char *text = cw_xmalloc(cap + 1);
	ssize_t got;
	while (len < cap && (got = read(fd, text + len, cap - len)) > 0)
		len += (size_t)got;
	close(fd);
	text[len] = 0;
	int rc = parse(path, text, out, err, errlen);
	cw_memzero(text, len);
	free(text);
	return rc;
}

static void random_line(const char *id, char *line, size_t n)
{
	uint8_t material[KEY_MATERIAL_LEN];
	char hex[2 * KEY_MATERIAL_LEN + 1];
	cw_random_bytes(material, sizeof material);
	cw_hex_encode(material, sizeof material, hex);
	snprintf(line, n, "%s %s\n", id, hex);
	cw_memzero(material, sizeof material);
	cw_memzero(hex, sizeof hex);
}

/* Writes a new file with one fresh key, atomically: a private temporary file linked
 * to the name, so two processes creating it together end up with one of the two. */
static int create_file(const char *path, char *err, size_t errlen)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		/* Each missing parent in turn; the last (the key directory) private. */
		for (char *p = dir + 1; *p; p++)
			if (*p == '/') {
				*p = 0;
				mkdir(dir, 0750);
				*p = '/';
			}
		if (mkdir(dir, 0700) && errno != EEXIST) {
			set_err(err, errlen, "cannot create key directory %s: %s", dir, strerror(errno));
			return -1;
		}
	}
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.new.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		set_err(err, errlen, "cannot create key file %s: %s", tmp, strerror(errno));
		return -1;
	}
	char line[128];
	random_line("k1", line, sizeof line);
	const char *head = "# civicgrid personal-data keys: <id> <64 hex>; the last line is current.\n"
			   "# Keep this file out of database backups; back it up separately.\n";
	bool ok = write(fd, head, strlen(head)) == (ssize_t)strlen(head) &&
		  write(fd, line, strlen(line)) == (ssize_t)strlen(line) && fsync(fd) == 0;
	cw_memzero(line, sizeof line);
	close(fd);
	if (!ok || (link(tmp, path) && errno != EEXIST)) {
		set_err(err, errlen, "cannot create key file %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	unlink(tmp);
	return 0;
}

struct cw_keyring *cw_keyring_load(const char *path, bool create, char *err, size_t errlen)
{
	if (err && errlen)
		*err = 0;
	struct stat st;
	if (create && stat(path, &st) != 0 && errno == ENOENT && create_file(path, err, errlen))
		return NULL;
	struct keys k;
	if (read_keys(path, &k, &st, err, errlen))
		return NULL;
	struct cw_keyring *kr = cw_xcalloc(1, sizeof *kr);
	kr->path = cw_xstrdup(path);
	kr->keys = k;
	kr->seen = st;
	pthread_rwlock_init(&kr->lock, NULL);
	pthread_mutex_init(&kr->reload_mu, NULL);
	return kr;
}

void cw_keyring_free(struct cw_keyring *kr)
{
	if (!kr)
		return;
	keys_free(&kr->keys);
	pthread_rwlock_destroy(&kr->lock);
	pthread_mutex_destroy(&kr->reload_mu);
	free(kr->path);
	free(kr);
}

int cw_keyring_refresh(struct cw_keyring *kr, bool force, char *err, size_t errlen)
{
	if (err && errlen)
		*err = 0;
	pthread_mutex_lock(&kr->reload_mu);
	struct stat st;
	int rc = 0;
	if (stat(kr->path, &st) != 0) {
		set_err(err, errlen, "cannot read key file %s: %s", kr->path, strerror(errno));
		rc = -1;
	} else if (force || st.st_ino != kr->seen.st_ino || st.st_size != kr->seen.st_size ||
		   st.st_mtim.tv_sec != kr->seen.st_mtim.tv_sec ||
		   st.st_mtim.tv_nsec != kr->seen.st_mtim.tv_nsec || st.st_mode != kr->seen.st_mode) {
		struct keys k;
		if (read_keys(kr->path, &k, &st, err, errlen)) {
			rc = -1;
			kr->seen = st; /* say so once, not every round */
		} else {
			pthread_rwlock_wrlock(&kr->lock);
			struct keys old = kr->keys;
			kr->keys = k;
			kr->seen = st;
			pthread_rwlock_unlock(&kr->lock);
			keys_free(&old);
			rc = 1;
		}
	}
	pthread_mutex_unlock(&kr->reload_mu);
	return rc;
}

void cw_keyring_current(struct cw_keyring *kr, char id[CW_KEY_ID_MAX])
{
	pthread_rwlock_rdlock(&kr->lock);
	memcpy(id, kr->keys.v[kr->keys.n - 1].id, CW_KEY_ID_MAX);
	pthread_rwlock_unlock(&kr->lock);
}

int cw_keyring_ids(struct cw_keyring *kr, char (*ids)[CW_KEY_ID_MAX], int max)
{
	pthread_rwlock_rdlock(&kr->lock);
	int n = 0;
	for (; n < kr->keys.n && n < max; n++)
		memcpy(ids[n], kr->keys.v[n].id, CW_KEY_ID_MAX);
	pthread_rwlock_unlock(&kr->lock);
	return n;
}

const char *cw_keyring_seal(struct cw_keyring *kr, struct cw_arena *a, const char *label,
			    const char *plaintext)
{
	size_t n = strlen(plaintext);
	uint8_t *raw = cw_xmalloc(n + CW_SM4_GCM_OVERHEAD);
	char id[CW_KEY_ID_MAX];
	pthread_rwlock_rdlock(&kr->lock);
	const struct key *k = &kr->keys.v[kr->keys.n - 1];
	memcpy(id, k->id, sizeof id);
	int rc = cw_sm4_gcm_seal(k->sm4, label, strlen(label), plaintext, n, raw);
	pthread_rwlock_unlock(&kr->lock);
	const char *out = NULL;
	if (rc == 0) {
		size_t b64 = cw_base64_len(n + CW_SM4_GCM_OVERHEAD);
		char *text = cw_arena_alloc(a, strlen(CW_KEYRING_PREFIX) + strlen(id) + 1 + b64);
		int m = sprintf(text, CW_KEYRING_PREFIX "%s:", id);
		cw_base64_encode(raw, n + CW_SM4_GCM_OVERHEAD, text + m);
		out = text;
	}
	free(raw);
	return out;
}

bool cw_keyring_key_id(const char *sealed, char id[CW_KEY_ID_MAX])
{
	size_t plen = strlen(CW_KEYRING_PREFIX);
	if (!sealed || strncmp(sealed, CW_KEYRING_PREFIX, plen) != 0)
		return false;
	const char *p = sealed + plen, *colon = strchr(p, ':');
	if (!colon || !id_valid(p, (size_t)(colon - p)))
		return false;
	memcpy(id, p, (size_t)(colon - p));
	id[colon - p] = 0;
	return true;
}

/* Opens with the key `id` when the ring has it: 0, -1 refused, 1 no such key. */
static int open_with(struct cw_keyring *kr, const char *id, const char *label,
		     const uint8_t *raw, size_t len, uint8_t *out)
{
	int rc = 1;
	pthread_rwlock_rdlock(&kr->lock);
	for (int i = kr->keys.n - 1; i >= 0; i--)
		if (strcmp(kr->keys.v[i].id, id) == 0) {
			rc = cw_sm4_gcm_open(kr->keys.v[i].sm4, label, strlen(label), raw, len, out);
			break;
		}
	pthread_rwlock_unlock(&kr->lock);
	return rc;
}

int cw_keyring_open(struct cw_keyring *kr, struct cw_arena *a, const char *label,
		    const char *sealed, const char **plaintext)
{
	char id[CW_KEY_ID_MAX];
	*plaintext = NULL;
	if (!cw_keyring_key_id(sealed, id))
		return -1;
	const char *b64 = strchr(sealed + strlen(CW_KEYRING_PREFIX), ':') + 1;
	size_t cap = strlen(b64) / 4 * 3 + 3;
	if (cap < CW_SM4_GCM_OVERHEAD)
		return -1;
	uint8_t *raw = cw_xmalloc(cap);
	long len = cw_base64_decode(b64, raw, cap);
	int rc = -1;
	if (len >= CW_SM4_GCM_OVERHEAD) {
		size_t n = (size_t)len - CW_SM4_GCM_OVERHEAD;
		uint8_t *out = cw_arena_alloc(a, n + 1);
		rc = open_with(kr, id, label, raw, (size_t)len, out);
		if (rc == 1) {
			/* A key this process has not seen: the file may have been rotated. */
			bool retry = false;
			pthread_mutex_lock(&kr->reload_mu);
			time_t now = time(NULL);
			if (now != kr->last_forced) {
				kr->last_forced = now;
				retry = true;
			}
			pthread_mutex_unlock(&kr->reload_mu);
			if (retry && cw_keyring_refresh(kr, false, NULL, 0) == 1)
				rc = open_with(kr, id, label, raw, (size_t)len, out);
		}
		if (rc == 0) {
			out[n] = 0;
			if (strlen((const char *)out) == n)
				*plaintext = (const char *)out;
			else
				rc = -1;
		}
	}
	free(raw);
	return rc == 0 ? 0 : -1;
}

int cw_keyring_rotate_file(const char *path, char new_id[CW_KEY_ID_MAX], char *err,
			   size_t errlen)
{
	if (err && errlen)
		*err = 0;
	int fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
	if (fd < 0) {
		set_err(err, errlen, "cannot open key file %s: %s", path, strerror(errno));
		return -1;
	}
	/* Two rotations at once must not both pick the same next id. */
	flock(fd, LOCK_EX);
	struct keys k;
	struct stat st;
	int rc = -1;
	if (read_keys(path, &k, &st, err, errlen) == 0) {
		long next = 1;
		for (int i = 0; i < k.n; i++) {
			char *end;
			if (k.v[i].id[0] == 'k') {
				long v = strtol(k.v[i].id + 1, &end, 10);
				if (*end == 0 && v >= next)
					next = v + 1;
			}
		}
		keys_free(&k);
		snprintf(new_id, CW_KEY_ID_MAX, "k%ld", next);
		char line[128];
		random_line(new_id, line, sizeof line);
		/* A file that does not end in a newline gets one first. */
		char last = '\n';
		if (st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) != 1)
			last = '\n';
		bool ok = (last == '\n' || write(fd, "\n", 1) == 1) &&
			  write(fd, line, strlen(line)) == (ssize_t)strlen(line) && fsync(fd) == 0;
		cw_memzero(line, sizeof line);
		if (ok)
			rc = 0;
		else
			set_err(err, errlen, "cannot write key file %s: %s", path, strerror(errno));
	}
	flock(fd, LOCK_UN);
	close(fd);
	return rc;
}
