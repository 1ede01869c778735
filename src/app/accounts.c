/* accounts.c - sign-in, sessions, API tokens and account administration.
 *
 * Each service runs one transaction; refusals that must leave a trail (a failed
 * login, a locked account) commit their audit record, while refusals that change
 * nothing roll back (CW_DB_ABORT with the reason in ctx->ec). */
#include "app/app.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "util/arena.h"
#include "util/clock.h"
#include "util/crypto.h"
#include "util/text.h"

/* A hash of a random password that nobody knows, so that a login for an unknown
 * user costs the same argon2id work as one for a known user. */
static char dummy_hash[CW_PWHASH_LEN];

static const char *dummy_password_hash(void)
{
	if (!dummy_hash[0]) {
		char pw[CW_TOKEN_TEXT_LEN];
		cw_random_token(pw);
		cw_password_hash(pw, dummy_hash);
	}
	return dummy_hash;
}

static const char *user_object(struct cw_arena *a, int64_t id)
{
	return cw_arena_printf(a, "user:%" PRId64, id);
}

/* ---- login ---- */

struct login_ctx {
	const struct cw_app_config *cfg;
	const struct cw_actor *actor;
	const char *username;
	bool password_ok;
	int64_t now;
	struct cw_identity *out;
	const char *cookie;
	enum cw_ec ec;
};

static int login_tx(struct cw_tx *tx, void *p)
{
	struct login_ctx *c = p;
	struct cw_arena *a = cw_store_tx_arena(tx);
	struct cw_user u;
	struct cw_actor who = *c->actor;
	who.username = c->username;
	int rc = cw_store_user_by_username(tx, c->username, &u);
	if (rc == CW_DB_NOTFOUND) {
		c->ec = CW_EC_AUTH_FAILED;
		return cw_app_audit(tx, &who, "session.login", "user:?", false, "unknown user");
	}
	if (rc)
		return rc;
	who.user_id = u.id;
	who.roles = u.roles;
	const char *obj = user_object(a, u.id);
	struct cw_login_state st = {u.failed_logins, u.locked_until};
	if (u.disabled) {
		c->ec = CW_EC_ACCOUNT_DISABLED;
		return cw_app_audit(tx, &who, "session.login", obj, false, "account disabled");
	}
	if (cw_login_locked(&st, c->now)) {
		c->ec = CW_EC_ACCOUNT_LOCKED;
		return cw_app_audit(tx, &who, "session.login", obj, false, "account locked");
	}
	if (!c->password_ok) {
		bool locked = cw_login_fail(&c->cfg->policy, &st, c->now);
		c->ec = locked ? CW_EC_ACCOUNT_LOCKED : CW_EC_AUTH_FAILED;
		rc = cw_store_user_set_login_state(tx, u.id, st.failed, st.locked_until);
		if (rc)
			return rc;
		if (locked && (rc = cw_app_audit(tx, &who, "user.lock", obj, true,
						 "too many failed logins")))
			return rc;
		return cw_app_audit(tx, &who, "session.login", obj, false, "wrong password");
	}
	cw_login_reset(&st);
	if ((u.failed_logins || u.locked_until) &&
	    (rc = cw_store_user_set_login_state(tx, u.id, 0, 0)))
		return rc;

	char token[CW_TOKEN_TEXT_LEN], key[CW_SM3_HEX_LEN], csrf[CW_TOKEN_TEXT_LEN];
	cw_random_token(token);
	cw_random_token(csrf);
	cw_sm3_hex(token, strlen(token), key);
	struct cw_session s = {
	    .id_hash = key,
	    .user_id = u.id,
	    .csrf_token = csrf,
	    .created_at = c->now,
	    .last_seen = c->now,
	    .source = c->actor->source,
	};
	if ((rc = cw_store_session_insert(tx, &s)))
		return rc;
	if ((rc = cw_app_audit(tx, &who, "session.login", obj, true, NULL)))
		return rc;
	c->out->user = u;
	c->out->session_key = cw_arena_strdup(a, key);
	c->out->csrf_token = cw_arena_strdup(a, csrf);
	c->out->via_token = false;
	c->cookie = cw_arena_strdup(a, token);
	c->ec = CW_EC_OK;
	return CW_DB_OK;
}

struct hash_ctx {
	const char *username;
	const char *hash;
};

static int hash_tx(struct cw_tx *tx, void *p)
{
	struct hash_ctx *c = p;
	struct cw_user u;
	int rc = cw_store_user_by_username(tx, c->username, &u);
	if (rc == CW_DB_OK)
		c->hash = u.password_hash;
	return rc == CW_DB_NOTFOUND ? CW_DB_OK : rc;
}

enum cw_ec cw_login(cw_store *s, struct cw_arena *a, const struct cw_app_config *cfg,
		    const struct cw_actor *actor, const char *username, const char *password,
		    int64_t now, struct cw_identity *out, const char **cookie_value)
{
	struct hash_ctx h = {.username = username};
	int rc = cw_store_tx(s, a, false, hash_tx, &h);
	if (rc)
		return cw_app_store_ec(rc, CW_EC_AUTH_FAILED, CW_EC_INTERNAL);
	bool ok;
	/* The session starts when the slow hash is done, not when the request came in:
	 * on a busy machine the hash may take longer than a short idle timeout. */
	int64_t started_ms = cw_now_ms();
	if (h.hash && *h.hash)
		ok = cw_password_verify(h.hash, password);
	else
		ok = cw_password_verify(dummy_password_hash(), password) && false;
	now += (cw_now_ms() - started_ms) / 1000;

	struct login_ctx c = {.cfg = cfg, .actor = actor, .username = username,
			      .password_ok = ok, .now = now, .out = out};
	rc = cw_store_tx(s, a, true, login_tx, &c);
	cw_token_cache_flush(); /* the account may have changed: no stale token */
	if (rc)
		return cw_app_store_ec(rc, CW_EC_AUTH_FAILED, CW_EC_INTERNAL);
	if (c.ec == CW_EC_OK)
		*cookie_value = c.cookie;
	return c.ec;
}

/* ---- logout ---- */

struct logout_ctx {
	const struct cw_actor *actor;
	const char *key;
};

static int logout_tx(struct cw_tx *tx, void *p)
{
	struct logout_ctx *c = p;
	int rc = cw_store_session_delete(tx, c->key);
	if (rc && rc != CW_DB_NOTFOUND)
		return rc;
	return cw_app_audit(tx, c->actor, "session.logout",
			    user_object(cw_store_tx_arena(tx), c->actor->user_id), true, NULL);
}

enum cw_ec cw_logout(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
		     const char *session_key)
{
	struct logout_ctx c = {actor, session_key};
	return cw_app_store_ec(cw_store_tx(s, a, true, logout_tx, &c), CW_EC_OK, CW_EC_INTERNAL);
}

/* ---- resolving a cookie or a bearer token ---- */

static enum cw_ec check_user_usable(const struct cw_user *u, int64_t now)
{
	struct cw_login_state st = {u->failed_logins, u->locked_until};
	if (u->disabled)
		return CW_EC_ACCOUNT_DISABLED;
	if (cw_login_locked(&st, now))
		return CW_EC_ACCOUNT_LOCKED;
	return CW_EC_OK;
}

struct resolve_ctx {
	const struct cw_app_config *cfg;
	const char *key;
	int64_t now;
	bool write; /* second pass: touch or delete */
	bool need_write;
	struct cw_identity *out;
	enum cw_ec ec;
};

static int session_tx(struct cw_tx *tx, void *p)
{
	struct resolve_ctx *c = p;
	struct cw_session s;
	int rc = cw_store_session_get(tx, c->key, &s);
	if (rc == CW_DB_NOTFOUND) {
		c->ec = CW_EC_AUTH_REQUIRED;
		return CW_DB_OK;
	}
	if (rc)
		return rc;
	if (!cw_session_alive(&c->cfg->policy, s.created_at, s.last_seen, c->now)) {
		c->ec = CW_EC_SESSION_EXPIRED;
		c->need_write = true;
		return c->write ? cw_store_session_delete(tx, c->key) : CW_DB_OK;
	}
	if ((rc = cw_store_user_get(tx, s.user_id, &c->out->user)))
		return rc == CW_DB_NOTFOUND ? (c->ec = CW_EC_AUTH_REQUIRED, CW_DB_OK) : rc;
	c->ec = check_user_usable(&c->out->user, c->now);
	c->out->session_key = c->key;
	c->out->csrf_token = s.csrf_token;
	c->out->via_token = false;
	/* Writing last_seen on every request would turn every read into a write;
	 * once a minute keeps the idle timeout accurate to that minute. */
	if (c->now - s.last_seen >= c->cfg->session_touch_interval) {
		c->need_write = true;
		if (c->write)
			return cw_store_session_touch(tx, c->key, c->now);
	}
	return CW_DB_OK;
}

enum cw_ec cw_session_resolve(cw_store *s, struct cw_arena *a, const struct cw_app_config *cfg,
			      const char *cookie_value, int64_t now, struct cw_identity *out)
{
	size_t n = strlen(cookie_value);
	if (n == 0 || n > 100 || !cw_utf8_valid(cookie_value, n))
		return CW_EC_AUTH_REQUIRED;
	char key[CW_SM3_HEX_LEN];
	cw_sm3_hex(cookie_value, n, key);
	struct resolve_ctx c = {.cfg = cfg, .key = cw_arena_strdup(a, key), .now = now, .out = out};
	int rc = cw_store_tx(s, a, false, session_tx, &c);
	if (rc == CW_DB_OK && c.need_write) {
		c.write = true;
		c.need_write = false;
		rc = cw_store_tx(s, a, true, session_tx, &c);
	}
	if (rc)
		return cw_app_store_ec(rc, CW_EC_AUTH_REQUIRED, CW_EC_INTERNAL);
	return c.ec;
}

struct token_ctx {
	const char *hash;
	int64_t now;
	int64_t touch_id; /* token to mark used, 0 for none */
	int64_t token_id, last_used; /* of the token read, for the cache */
	struct cw_identity *out;
	enum cw_ec ec;
};

static int token_tx(struct cw_tx *tx, void *p)
{
	struct token_ctx *c = p;
	struct cw_api_token t;
	int rc = cw_store_token_by_hash(tx, c->hash, &t);
	if (rc == CW_DB_NOTFOUND || (rc == CW_DB_OK && t.revoked)) {
		c->ec = CW_EC_TOKEN_INVALID;
		return CW_DB_OK;
	}
	if (rc)
		return rc;
	if ((rc = cw_store_user_get(tx, t.user_id, &c->out->user)))
		return rc == CW_DB_NOTFOUND ? (c->ec = CW_EC_TOKEN_INVALID, CW_DB_OK) : rc;
	c->ec = check_user_usable(&c->out->user, c->now);
	c->out->via_token = true;
	c->out->session_key = NULL;
	c->out->csrf_token = NULL;
	c->token_id = t.id;
	c->last_used = t.last_used;
	if (c->now - t.last_used >= 60)
		c->touch_id = t.id;
	return CW_DB_OK;
}

static int token_touch_tx(struct cw_tx *tx, void *p)
{
	struct token_ctx *c = p;
	return cw_store_token_touch(tx, c->touch_id, c->now);
}

/* ---- resolved tokens, cached ----
 *
 * A bearer token used to cost two reads (token, user) in a transaction of its own on
 * every request. A resolved token is kept here for TOKEN_CACHE_TTL seconds, keyed by
 * its digest and the store. Every account change made by this process (a login that
 * counts a failure or locks, an update of roles, region, department or disabled, a new
 * password, an unlock) calls cw_token_cache_flush after its transaction: the epoch
 * moves on and every entry is dead at once. A resolver notes the epoch before its
 * read and stores its result under that epoch, so a result read before a change can
 * never outlive it. Changes made by another process (the command line) reach this one
 * within TOKEN_CACHE_TTL. The password hash is never cached (the identity of a cached
 * token carries ""). */
#define TOKEN_CACHE_SLOTS 64
#define TOKEN_CACHE_TTL 2 /* seconds: a change from another process waits at most this */

struct token_slot {
	const cw_store *store; /* NULL: empty */
	char hash[CW_SM3_HEX_LEN];
	uint64_t epoch;
	int64_t stored_at, token_id, last_used;
	struct cw_user user; /* strings malloc'd, owned by the slot */
};

static pthread_mutex_t token_cache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct token_slot token_cache[TOKEN_CACHE_SLOTS];
static _Atomic uint64_t token_cache_epoch = 1;

void cw_token_cache_flush(void)
{
	atomic_fetch_add(&token_cache_epoch, 1);
}

static struct token_slot *token_slot_of(const char *hash)
{
	/* The digest is uniform: its first hex digits pick the slot. */
	unsigned v = 0;
	for (int i = 0; i < 4; i++)
		v = v * 16 + (unsigned)(hash[i] <= '9' ? hash[i] - '0' : (hash[i] | 0x20) - 'a' + 10);
	return &token_cache[v % TOKEN_CACHE_SLOTS];
}

static void token_slot_clear(struct token_slot *t)
{
	free((char *)t->user.username);
	free((char *)t->user.name);
	free((char *)t->user.region);
	free((char *)t->user.region_path);
	memset(t, 0, sizeof *t);
}

static char *dup_or_null(const char *s)
{
	return s ? cw_xstrdup(s) : NULL;
}

static const char *arena_dup_or_null(struct cw_arena *a, const char *s)
{
	return s ? cw_arena_strdup(a, s) : NULL;
}

/* Under token_cache_mu. */
static void token_slot_put(struct token_slot *t, cw_store *s, const char *hash, uint64_t epoch,
			   int64_t now, int64_t token_id, int64_t last_used, const struct cw_user *u)
{
	token_slot_clear(t);
	t->store = s;
	memcpy(t->hash, hash, CW_SM3_HEX_LEN);
	t->epoch = epoch;
	t->stored_at = now;
	t->token_id = token_id;
	t->last_used = last_used;
	t->user = *u;
	t->user.username = dup_or_null(u->username);
	t->user.name = dup_or_null(u->name);
	t->user.region = dup_or_null(u->region);
	t->user.region_path = dup_or_null(u->region_path);
	t->user.password_hash = "";
}

/* A live entry for the digest into *out (strings in a); *touch_id set when the token's
 * last use is to be written. False when there is none. */
static bool token_cache_get(cw_store *s, struct cw_arena *a, const char *hash, uint64_t epoch,
			    int64_t now, struct cw_identity *out, int64_t *touch_id)
{
	bool hit = false;
	pthread_mutex_lock(&token_cache_mu);
	struct token_slot *t = token_slot_of(hash);
	if (t->store == s && t->epoch == epoch && now >= t->stored_at &&
	    now - t->stored_at < TOKEN_CACHE_TTL && strcmp(t->hash, hash) == 0) {
		hit = true;
		out->user = t->user;
		out->user.username = arena_dup_or_null(a, t->user.username);
		out->user.name = arena_dup_or_null(a, t->user.name);
		out->user.region = arena_dup_or_null(a, t->user.region);
		out->user.region_path = arena_dup_or_null(a, t->user.region_path);
		out->via_token = true;
		out->session_key = NULL;
		out->csrf_token = NULL;
		if (now - t->last_used >= 60) {
			*touch_id = t->token_id;
			t->last_used = now; /* one toucher, not every thread at once */
		}
	}
	pthread_mutex_unlock(&token_cache_mu);
	return hit;
}

enum cw_ec cw_token_resolve(cw_store *s, struct cw_arena *a, const char *bearer, int64_t now,
			    struct cw_identity *out)
{
	size_t n = strlen(bearer);
	if (n == 0 || n > 200 || !cw_utf8_valid(bearer, n))
		return CW_EC_TOKEN_INVALID;
	char h[CW_SM3_HEX_LEN];
	cw_sm3_hex(bearer, n, h);
	struct token_ctx c = {.hash = h, .now = now, .out = out};
	/* The epoch before the read: a change committed after it kills what we store. */
	uint64_t epoch = atomic_load(&token_cache_epoch);
	int rc;
	if (token_cache_get(s, a, h, epoch, now, out, &c.touch_id)) {
		/* Only usable accounts are cached; checked again all the same. */
		c.ec = check_user_usable(&out->user, now);
		rc = CW_DB_OK;
	} else {
		rc = cw_store_tx(s, a, false, token_tx, &c);
		if (rc == CW_DB_OK && c.ec == CW_EC_OK) {
			pthread_mutex_lock(&token_cache_mu);
			token_slot_put(token_slot_of(h), s, h, epoch, now, c.token_id,
				       c.touch_id ? now : c.last_used, &out->user);
			pthread_mutex_unlock(&token_cache_mu);
		}
	}
	if (rc == CW_DB_OK && c.ec == CW_EC_OK && c.touch_id)
		rc = cw_store_tx(s, a, true, token_touch_tx, &c);
	if (rc)
		return cw_app_store_ec(rc, CW_EC_TOKEN_INVALID, CW_EC_INTERNAL);
	return c.ec;
}

/* ---- account administration ---- */

static bool in_scope(const struct cw_actor *actor, const char *path)
{
	return !actor->region_path || cw_scope_contains(actor->region_path, path);
}

struct user_ctx {
	const struct cw_actor *actor;
	const struct cw_user_input *in;
	const struct cw_user_change *ch;
	const char *username;
	const char *hash;
	int64_t id;
	int64_t now;
	struct cw_user *out;
	enum cw_ec ec;
};

/* The region must exist and lie in the actor's scope. */
static int region_in_scope(struct cw_tx *tx, const struct cw_actor *actor, const char *code,
			   struct cw_region *r, enum cw_ec *ec)
{
	int rc = cw_store_region_get(tx, code, r);
	if (rc == CW_DB_NOTFOUND || (rc == CW_DB_OK && !in_scope(actor, r->path))) {
		*ec = CW_EC_REGION_NOT_FOUND;
		return CW_DB_ABORT;
	}
	return rc;
}

static int department_ok(struct cw_tx *tx, int64_t id, enum cw_ec *ec)
{
	if (id <= 0)
		return CW_DB_OK;
	struct cw_department d;
	int rc = cw_store_department_get(tx, id, &d);
	if (rc == CW_DB_NOTFOUND) {
		*ec = CW_EC_DEPARTMENT_NOT_FOUND;
		return CW_DB_ABORT;
	}
	return rc;
}

static int create_tx(struct cw_tx *tx, void *p)
{
	struct user_ctx *c = p;
	struct cw_region r;
	struct cw_arena *a = cw_store_tx_arena(tx);
	int rc;
	if ((rc = region_in_scope(tx, c->actor, c->in->region, &r, &c->ec)))
		return rc;
	if ((rc = department_ok(tx, c->in->department_id, &c->ec)))
		return rc;
	/* The result outlives this call's stack: copy what the caller handed us. */
	struct cw_user u = {
	    .username = cw_arena_strdup(a, c->in->username),
	    .name = cw_arena_strdup(a, c->in->name),
	    .region = r.code,
	    .region_path = r.path,
	    .roles = c->in->roles,
	    .password_hash = cw_arena_strdup(a, c->hash ? c->hash : ""),
	    .department_id = c->in->department_id,
	    .created_at = c->now,
	    .updated_at = c->now,
	};
	rc = cw_store_user_insert(tx, &u);
	if (rc == CW_DB_CONSTRAINT) {
		c->ec = CW_EC_USERNAME_TAKEN;
		return CW_DB_ABORT;
	}
	if (rc)
		return rc;
	char roles[160];
	cw_roleset_format(u.roles, roles, sizeof roles);
	if ((rc = cw_app_audit(tx, c->actor, "user.create", user_object(a, u.id), true,
			       cw_arena_printf(a, "username=%s roles=%s region=%s", u.username,
					       roles, u.region))))
		return rc;
	*c->out = u;
	return CW_DB_OK;
}

static bool username_valid(const char *u)
{
	size_t n = strlen(u);
	if (n < 2 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = u[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
		      ch == '.' || ch == '-'))
			return false;
	}
	return true;
}

enum cw_ec cw_user_create(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			  const struct cw_user_input *in, int64_t now, struct cw_user *out)
{
	if (!cw_roles_allow(actor->roles, CW_PERM_USER_WRITE))
		return CW_EC_FORBIDDEN;
	if (!username_valid(in->username))
		return CW_EC_INVALID_FIELD;
	enum cw_ec ec = cw_roleset_check(in->roles);
	if (ec)
		return ec;
	char hash[CW_PWHASH_LEN] = "";
	if (in->password) {
		if ((ec = cw_password_check(in->password, in->username)))
			return ec;
		if (cw_password_hash(in->password, hash))
			return CW_EC_INTERNAL;
	}
	struct user_ctx c = {.actor = actor, .in = in, .hash = hash, .now = now, .out = out};
	int rc = cw_store_tx(s, a, true, create_tx, &c);
	if (rc == CW_DB_ABORT)
		return c.ec;
	return cw_app_store_ec(rc, CW_EC_USER_NOT_FOUND, CW_EC_USERNAME_TAKEN);
}

static int load_scoped(struct cw_tx *tx, const struct cw_actor *actor, int64_t id,
		       struct cw_user *u, enum cw_ec *ec)
{
	int rc = cw_store_user_get(tx, id, u);
	if (rc == CW_DB_NOTFOUND || (rc == CW_DB_OK && !in_scope(actor, u->region_path))) {
		*ec = CW_EC_USER_NOT_FOUND;
		return CW_DB_ABORT;
	}
	return rc;
}

static int load_scoped_name(struct cw_tx *tx, const struct cw_actor *actor, const char *name,
			    struct cw_user *u, enum cw_ec *ec)
{
	int rc = cw_store_user_by_username(tx, name, u);
	if (rc == CW_DB_NOTFOUND || (rc == CW_DB_OK && !in_scope(actor, u->region_path))) {
		*ec = CW_EC_USER_NOT_FOUND;
		return CW_DB_ABORT;
	}
	return rc;
}

static int update_tx(struct cw_tx *tx, void *p)
{
	struct user_ctx *c = p;
	struct cw_arena *a = cw_store_tx_arena(tx);
	const struct cw_user_change *ch = c->ch;
	struct cw_user u;
	int rc;
	if ((rc = load_scoped(tx, c->actor, c->id, &u, &c->ec)))
		return rc;
	/* What changed, for the audit record; grows in the transaction's arena. */
	const char *detail = "";
	if (ch->name && strcmp(ch->name, u.name) != 0) {
		detail = cw_arena_printf(a, "%sname ", detail);
		u.name = ch->name;
	}
	if (ch->region && strcmp(ch->region, u.region) != 0) {
		struct cw_region r;
		if ((rc = region_in_scope(tx, c->actor, ch->region, &r, &c->ec)))
			return rc;
		detail = cw_arena_printf(a, "%sregion %s->%s ", detail, u.region, r.code);
		u.region = r.code;
		u.region_path = r.path;
	}
	if (ch->roles && ch->roles != u.roles) {
		char from[160], to[160];
		cw_roleset_format(u.roles, from, sizeof from);
		cw_roleset_format(ch->roles, to, sizeof to);
		detail = cw_arena_printf(a, "%sroles %s->%s ", detail, from, to);
		u.roles = ch->roles;
	}
	bool end_sessions = false;
	if (ch->disabled >= 0 && (bool)ch->disabled != u.disabled) {
		detail = cw_arena_printf(a, "%s%s ", detail, ch->disabled ? "disabled" : "enabled");
		u.disabled = ch->disabled;
		end_sessions = u.disabled;
	}
	if (ch->department_id >= 0 && ch->department_id != u.department_id) {
		if ((rc = department_ok(tx, ch->department_id, &c->ec)))
			return rc;
		detail = cw_arena_printf(a, "%sdepartment %" PRId64 " ", detail, ch->department_id);
		u.department_id = ch->department_id;
	}
	u.updated_at = c->now;
	if ((rc = cw_store_user_update(tx, &u)))
		return rc;
	if (end_sessions && (rc = cw_store_session_delete_user(tx, u.id)))
		return rc;
	if ((rc = cw_app_audit(tx, c->actor, "user.update", user_object(a, u.id), true,
			       *detail ? detail : "no change")))
		return rc;
	*c->out = u;
	return CW_DB_OK;
}

enum cw_ec cw_user_update(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			  int64_t id, const struct cw_user_change *ch, int64_t now,
			  struct cw_user *out)
{
	if (!cw_roles_allow(actor->roles, CW_PERM_USER_WRITE))
		return CW_EC_FORBIDDEN;
	if (ch->roles) {
		enum cw_ec ec = cw_roleset_check(ch->roles);
		if (ec)
			return ec;
	}
	struct user_ctx c = {.actor = actor, .ch = ch, .id = id, .now = now, .out = out};
	int rc = cw_store_tx(s, a, true, update_tx, &c);
	cw_token_cache_flush(); /* the account may have changed: no stale token */
	if (rc == CW_DB_ABORT)
		return c.ec;
	return cw_app_store_ec(rc, CW_EC_USER_NOT_FOUND, CW_EC_INTERNAL);
}

static int password_tx(struct cw_tx *tx, void *p)
{
	struct user_ctx *c = p;
	struct cw_user u;
	int rc;
	if ((rc = load_scoped_name(tx, c->actor, c->username, &u, &c->ec)))
		return rc;
	if ((rc = cw_store_user_set_password(tx, u.id, c->hash, c->now)) ||
	    (rc = cw_store_user_set_login_state(tx, u.id, 0, 0)) ||
	    (rc = cw_store_session_delete_user(tx, u.id)))
		return rc;
	return cw_app_audit(tx, c->actor, "user.password", user_object(cw_store_tx_arena(tx), u.id),
			    true, NULL);
}

enum cw_ec cw_user_set_password(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
				const char *username, const char *password, int64_t now)
{
	bool self = actor->username && strcmp(actor->username, username) == 0;
	if (!self && !cw_roles_allow(actor->roles, CW_PERM_USER_WRITE))
		return CW_EC_FORBIDDEN;
	enum cw_ec ec = cw_password_check(password, username);
	if (ec)
		return ec;
	char hash[CW_PWHASH_LEN];
	if (cw_password_hash(password, hash))
		return CW_EC_INTERNAL;
	struct user_ctx c = {.actor = actor, .username = username, .hash = hash, .now = now};
	int rc = cw_store_tx(s, a, true, password_tx, &c);
	cw_token_cache_flush(); /* the account may have changed: no stale token */
	if (rc == CW_DB_ABORT)
		return c.ec;
	return cw_app_store_ec(rc, CW_EC_USER_NOT_FOUND, CW_EC_INTERNAL);
}

static int unlock_tx(struct cw_tx *tx, void *p)
{
	struct user_ctx *c = p;
	struct cw_user u;
	int rc;
	if ((rc = load_scoped_name(tx, c->actor, c->username, &u, &c->ec)))
		return rc;
	if ((rc = cw_store_user_set_login_state(tx, u.id, 0, 0)))
		return rc;
	return cw_app_audit(tx, c->actor, "user.unlock", user_object(cw_store_tx_arena(tx), u.id),
			    true, NULL);
}

enum cw_ec cw_user_unlock(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			  const char *username, int64_t now)
{
	if (!cw_roles_allow(actor->roles, CW_PERM_USER_WRITE))
		return CW_EC_FORBIDDEN;
	struct user_ctx c = {.actor = actor, .username = username, .now = now};
	int rc = cw_store_tx(s, a, true, unlock_tx, &c);
	cw_token_cache_flush(); /* the account may have changed: no stale token */
	if (rc == CW_DB_ABORT)
		return c.ec;
	return cw_app_store_ec(rc, CW_EC_USER_NOT_FOUND, CW_EC_INTERNAL);
}

static int get_tx(struct cw_tx *tx, void *p)
{
	struct user_ctx *c = p;
	return load_scoped(tx, c->actor, c->id, c->out, &c->ec);
}

enum cw_ec cw_user_get_scoped(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			      int64_t id, struct cw_user *out)
{
	struct user_ctx c = {.actor = actor, .id = id, .out = out};
	int rc = cw_store_tx(s, a, false, get_tx, &c);
	if (rc == CW_DB_ABORT)
		return c.ec;
	return cw_app_store_ec(rc, CW_EC_USER_NOT_FOUND, CW_EC_INTERNAL);
}

struct token_create_ctx {
	const struct cw_actor *actor;
	const char *username, *name, *hash;
	int64_t now;
	enum cw_ec ec;
};

static int token_create_tx(struct cw_tx *tx, void *p)
{
	struct token_create_ctx *c = p;
	struct cw_user u;
	int rc;
	if ((rc = load_scoped_name(tx, c->actor, c->username, &u, &c->ec)))
		return rc;
	struct cw_api_token t = {.user_id = u.id, .name = c->name, .hash = c->hash,
				 .created_at = c->now};
	if ((rc = cw_store_token_insert(tx, &t)))
		return rc;
	struct cw_arena *a = cw_store_tx_arena(tx);
	return cw_app_audit(tx, c->actor, "token.create", cw_arena_printf(a, "token:%" PRId64, t.id),
			    true, cw_arena_printf(a, "user=%s name=%s", u.username, c->name));
}

enum cw_ec cw_token_create(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			   const char *username, const char *name, int64_t now,
			   const char **token_text)
{
	if (!cw_roles_allow(actor->roles, CW_PERM_USER_WRITE))
		return CW_EC_FORBIDDEN;
	if (!name || !*name || strlen(name) > 100 || !cw_utf8_valid(name, strlen(name)))
		return CW_EC_INVALID_FIELD;
	char raw[CW_TOKEN_TEXT_LEN], hash[CW_SM3_HEX_LEN];
	cw_random_token(raw);
	/* A recognisable prefix lets secret scanners find leaked tokens. */
	const char *token = cw_arena_printf(a, "cwt_%s", raw);
	cw_sm3_hex(token, strlen(token), hash);
	struct token_create_ctx c = {actor, username, name, hash, now, CW_EC_OK};
	int rc = cw_store_tx(s, a, true, token_create_tx, &c);
	if (rc == CW_DB_ABORT)
		return c.ec;
	if (rc)
		return cw_app_store_ec(rc, CW_EC_USER_NOT_FOUND, CW_EC_INTERNAL);
	*token_text = token;
	return CW_EC_OK;
}

struct list_ctx {
	const char *scope;
	int64_t after;
	int limit;
	struct cw_user **items;
	int *n;
};

static int list_tx(struct cw_tx *tx, void *p)
{
	struct list_ctx *c = p;
	return cw_store_user_list(tx, c->scope, c->after, c->limit, c->items, c->n);
}

enum cw_ec cw_user_list_scoped(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			       int64_t after_id, int limit, struct cw_user **items, int *n)
{
	if (!cw_roles_allow(actor->roles, CW_PERM_USER_READ))
		return CW_EC_FORBIDDEN;
	struct list_ctx c = {actor->region_path, after_id, limit, items, n};
	return cw_app_store_ec(cw_store_tx(s, a, false, list_tx, &c), CW_EC_OK, CW_EC_INTERNAL);
}

struct dept_ctx {
	const char *scope;
	int64_t after;
	int limit;
	struct cw_department **items;
	int *n;
};

static int dept_tx(struct cw_tx *tx, void *p)
{
	struct dept_ctx *c = p;
	return cw_store_department_list(tx, c->scope, c->after, c->limit, c->items, c->n);
}

enum cw_ec cw_department_list_scoped(cw_store *s, struct cw_arena *a,
				     const struct cw_actor *actor, int64_t after_id, int limit,
				     struct cw_department **items, int *n)
{
	if (!cw_roles_allow(actor->roles, CW_PERM_DEPT_READ))
		return CW_EC_FORBIDDEN;
	struct dept_ctx c = {actor->region_path, after_id, limit, items, n};
	return cw_app_store_ec(cw_store_tx(s, a, false, dept_tx, &c), CW_EC_OK, CW_EC_INTERNAL);
}

struct purge_ctx {
	const struct cw_app_config *cfg;
	int64_t now, deleted;
};

static int purge_tx(struct cw_tx *tx, void *p)
{
	struct purge_ctx *c = p;
	return cw_store_session_purge(tx, c->now - c->cfg->policy.session_idle,
				      c->now - c->cfg->policy.session_absolute, &c->deleted);
}

int64_t cw_sessions_purge(cw_store *s, const struct cw_app_config *cfg, int64_t now)
{
	struct cw_arena *a = cw_arena_new();
	struct purge_ctx c = {cfg, now, 0};
	int rc = cw_store_tx(s, a, true, purge_tx, &c);
	cw_arena_free(a);
	return rc ? -1 : c.deleted;
}
