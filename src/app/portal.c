/* portal.c - the citizens' portal: report with a tracking code, follow, add photos,
 * rate; see app.h and core/portal.h. The cases are made and changed by the ordinary
 * case services (cases.c, attachments.c) acting as the portal's system account; this
 * file adds the tracking code, the public's own limits and the public view. */
#include "app/app.h"

#include <stdio.h>
#include <string.h>

#include "core/case_flow.h"
#include "core/category.h"
#include "core/pii.h"
#include "core/portal.h"
#include "util/arena.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/text.h"

/* ---- the system account ---- */

struct account_ctx {
	bool create;
	int64_t now;
	const char *source, *request_id;
	struct cw_user u;
	enum cw_ec ec;
};

/* The account inside a transaction (made when missing and `create`): only ever a
 * citizen's roles, or the portal refuses to act as it. */
static int account_tx_in(struct cw_tx *tx, struct account_ctx *c)
{
	int rc = cw_store_user_by_username(tx, CW_PORTAL_USERNAME, &c->u);
	if (rc == CW_DB_NOTFOUND && c->create) {
		struct cw_region root;
		rc = cw_region_root_tx(tx, &root);
		if (rc == CW_DB_NOTFOUND) {
			cw_error("portal: no region tree yet; the portal cannot take reports");
			c->ec = CW_EC_INTERNAL;
			return CW_DB_ABORT;
		}
		if (rc != CW_DB_OK)
			return rc;
		struct cw_user u = {.username = CW_PORTAL_USERNAME, .name = "市民门户 (portal)",
				    .region = root.code, .roles = 1u << CW_ROLE_CITIZEN,
				    .password_hash = "", .disabled = true, .created_at = c->now,
				    .updated_at = c->now};
		if ((rc = cw_store_user_insert(tx, &u)) != CW_DB_OK)
			return rc;
		struct cw_actor sys = {.username = "system", .region_path = NULL,
				       .source = c->source, .request_id = c->request_id};
		struct cw_arena *a = cw_store_tx_arena(tx);
		rc = cw_app_audit(tx, &sys, "user.create",
				  cw_arena_printf(a, "user:%lld", (long long)u.id), true,
				  cw_arena_printf(a, "username=%s roles=citizen region=%s (the "
						     "portal's system account)",
						  CW_PORTAL_USERNAME, root.code));
		if (rc != CW_DB_OK)
			return rc;
		rc = cw_store_user_by_username(tx, CW_PORTAL_USERNAME, &c->u);
	}
	if (rc != CW_DB_OK)
		return rc;
	if (c->u.roles != (1u << CW_ROLE_CITIZEN)) {
		cw_error("portal: the account %s holds roles other than citizen; the portal will "
			 "not act as it",
			 CW_PORTAL_USERNAME);
		c->ec = CW_EC_INTERNAL;
		return CW_DB_ABORT;
	}
	return CW_DB_OK;
}

static int account_tx(struct cw_tx *tx, void *p)
{
	return account_tx_in(tx, p);
}

/* The account, made on first use (two first reports at once: one makes it, the other
 * meets the unique name and reads it). */
static enum cw_ec account(cw_store *s, struct cw_arena *a, const char *source,
			  const char *request_id, int64_t now, struct cw_user *out)
{
	struct account_ctx c = {.now = now, .source = source, .request_id = request_id};
	int rc = cw_store_tx(s, a, false, account_tx, &c);
	for (int i = 0; rc == CW_DB_NOTFOUND && i < 2; i++) {
		c.create = true;
		rc = cw_store_tx(s, a, true, account_tx, &c);
		if (rc == CW_DB_CONSTRAINT) {
			c.create = false;
			rc = cw_store_tx(s, a, false, account_tx, &c);
		}
	}
	if (c.ec != CW_EC_OK)
		return c.ec;
	*out = c.u;
	return cw_app_store_ec(rc, CW_EC_INTERNAL, CW_EC_INTERNAL);
}

static struct cw_actor actor_of(const struct cw_user *u, const char *source,
				const char *request_id)
{
	return (struct cw_actor){.user_id = u->id, .username = u->username, .roles = u->roles,
				 .region_path = u->region_path, .source = source,
				 .request_id = request_id};
}

/* ---- the public view ---- */

static void to_public(struct cw_arena *a, const struct cw_case_view *v, const char *cat_name,
		      int64_t portal_id, struct cw_portal_view *out)
{
	memset(out, 0, sizeof *out);
	const struct cw_case *c = &v->c;
	out->number = c->number;
	out->category = c->category;
	out->category_name = cat_name ? cat_name : "";
	out->phase = cw_portal_phase(c->status);
	out->created_at = out->updated_at = c->created_at;
	if (c->deadline && (!strcmp(out->phase, "assigned") || !strcmp(out->phase, "in_progress")))
		out->deadline = c->deadline;
	out->timeline = cw_arena_alloc(a, (size_t)(v->ntimeline + 1) * sizeof *out->timeline);
	const char *phase = "received";
	for (int i = 0; i < v->ntimeline; i++) {
		const struct cw_case_event *e = &v->timeline[i];
		if (e->status_after && *e->status_after)
			phase = cw_portal_phase(e->status_after);
		bool note_public;
		const char *ev = cw_portal_event(e->action, e->status_before, e->status_after,
						 portal_id && e->user_id == portal_id, &note_public);
		if (!ev)
			continue;
		out->timeline[out->ntimeline++] = (struct cw_portal_event){
		    .at = e->at, .event = ev, .phase = phase,
		    .note = note_public && e->note && *e->note ? e->note : NULL};
		if (e->at > out->updated_at)
			out->updated_at = e->at;
	}
	for (int i = 0; i < v->nattachments; i++)
		if (portal_id && v->attachments[i].user_id == portal_id)
			out->photos++;
	for (int i = 0; i < v->nactions; i++)
		if (strcmp(v->actions[i], "rate") == 0)
			out->can_rate = true;
	out->rating = c->ratings ? c->rating : 0;
}

/* ---- resolving a tracking code ---- */

struct resolve_ctx {
	const char *hash;
	struct account_ctx acc;
	struct cw_case c;
	struct cw_stored_category cat;
	bool has_cat;
	int64_t photos; /* the citizen's */
};

static int resolve_tx(struct cw_tx *tx, void *p)
{
	struct resolve_ctx *r = p;
	int64_t id;
	int rc = cw_store_portal_code_case(tx, r->hash, &id);
	if (rc != CW_DB_OK)
		return rc;
	if ((rc = account_tx_in(tx, &r->acc)) != CW_DB_OK)
		return rc;
	if ((rc = cw_store_case_get(tx, id, &r->c)) != CW_DB_OK)
		return rc;
	if (r->c.reporter_user_id != r->acc.u.id) /* not the portal's case: never shown */
		return CW_DB_NOTFOUND;
	rc = cw_store_category_get(tx, r->c.category, &r->cat);
	if (rc == CW_DB_OK)
		r->has_cat = true;
	else if (rc != CW_DB_NOTFOUND)
		return rc;
	return cw_store_attachments_count_by(tx, id, r->acc.u.id, &r->photos);
}

/* The case of a typed code. A malformed code is hashed and looked up all the same, so
 * that it takes as long as a well-formed wrong one: CASE_NOT_FOUND either way. */
static enum cw_ec resolve(cw_store *s, struct cw_arena *a, const char *code,
			  struct resolve_ctx *r)
{
	char canon[CW_PORTAL_CODE_LEN + 1];
	bool ok = cw_portal_code_normalize(code, canon);
	char *hash = cw_arena_alloc(a, CW_SHA256_HEX_LEN);
	const char *text = ok ? canon : (code ? code : "");
	cw_sha256_hex(text, strlen(text), hash);
	memset(r, 0, sizeof *r);
	r->hash = hash;
	int rc = cw_store_tx(s, a, false, resolve_tx, r);
	if (r->acc.ec != CW_EC_OK)
		return r->acc.ec;
	if (!ok && rc == CW_DB_OK) /* cannot be: a malformed code has no row */
		rc = CW_DB_NOTFOUND;
	return cw_app_store_ec(rc, CW_EC_CASE_NOT_FOUND, CW_EC_INTERNAL);
}

/* ---- report ---- */

static enum cw_ec text_field(const char *s, size_t min, size_t max, bool multiline,
			     const char *name, const char **field)
{
	if (!s)
		return CW_EC_OK;
	if (!cw_portal_text_ok(s, multiline)) {
		*field = name;
		return CW_EC_INVALID_FIELD;
	}
	size_t n = cw_utf8_len(s);
	if (n > max) {
		*field = name;
		return CW_EC_FIELD_TOO_LONG;
	}
	/* Blank text is no text. */
	size_t blank = strspn(s, " \t\r\n");
	if (n < min || (min && !s[blank])) {
		*field = name;
		return CW_EC_INVALID_FIELD;
	}
	return CW_EC_OK;
}

struct category_ctx {
	const char *code;
	struct cw_stored_category cat;
};

static int category_tx(struct cw_tx *tx, void *p)
{
	struct category_ctx *c = p;
	return cw_store_category_get(tx, c->code, &c->cat);
}

struct code_ctx {
	const char *hash;
	int64_t now;
};

static int code_insert(struct cw_tx *tx, const struct cw_case *c, void *p)
{
	struct code_ctx *k = p;
	return cw_store_portal_code_insert(tx, k->hash, c->id, k->now);
}

enum cw_ec cw_portal_report(cw_store *s, struct cw_arena *a, const struct cw_case_env *env,
			    const char *source, const char *request_id,
			    const struct cw_portal_input *in, int64_t now, char code_shown[16],
			    struct cw_portal_view *out, const char **field)
{
	enum cw_ec ec;
	*field = NULL;
	code_shown[0] = 0;
	memset(out, 0, sizeof *out);
	if (!in->category) {
		*field = "category";
		return CW_EC_MISSING_FIELD;
	}
	if (!in->description) {
		*field = "description";
		return CW_EC_MISSING_FIELD;
	}
	if ((ec = text_field(in->description, CW_PORTAL_DESCRIPTION_MIN, CW_PORTAL_DESCRIPTION_MAX,
			     true, "description", field)) ||
	    (ec = text_field(in->title, 1, CW_PORTAL_TITLE_MAX, false, "title", field)) ||
	    (ec = text_field(in->address, 0, CW_PORTAL_ADDRESS_MAX, false, "address", field)))
		return ec;
	if ((ec = cw_pii_reporter_check(in->name, in->phone, field))) {
		*field = *field && strstr(*field, "phone") ? "phone" : "name";
		return ec;
	}

	struct category_ctx cc = {.code = in->category};
	int rc = cw_store_tx(s, a, false, category_tx, &cc);
	if (rc == CW_DB_OK && (!cc.cat.active || !cw_portal_category_public(cc.cat.cat.code,
									    cc.cat.cat.kind)))
		rc = CW_DB_NOTFOUND;
	if (rc != CW_DB_OK) {
		if (rc == CW_DB_NOTFOUND)
			*field = "category";
		return cw_app_store_ec(rc, CW_EC_CATEGORY_NOT_FOUND, CW_EC_INTERNAL);
	}

	struct cw_user u;
	if ((ec = account(s, a, source, request_id, now, &u)))
		return ec;
	struct cw_actor actor = actor_of(&u, source, request_id);

	const char *title = in->title;
	if (!title) {
		char buf[CW_PORTAL_TITLE_DERIVED * 4 + 8];
		cw_portal_title(in->description, buf, sizeof buf);
		title = *buf ? cw_arena_strdup(a, buf) : cc.cat.cat.name;
	}

	uint8_t random[CW_PORTAL_CODE_RANDOM];
	char canon[CW_PORTAL_CODE_LEN + 1], shown[CW_PORTAL_CODE_SHOWN + 1];
	cw_random_bytes(random, sizeof random);
	cw_portal_code_make(random, canon, shown);
	cw_memzero(random, sizeof random);
	char *hash = cw_arena_alloc(a, CW_SHA256_HEX_LEN);
	cw_sha256_hex(canon, strlen(canon), hash);
	cw_memzero(canon, sizeof canon);

	struct code_ctx kc = {.hash = hash, .now = now};
	struct cw_case_input ci = {
	    .kind = cc.cat.cat.kind,
	    .category = cc.cat.cat.code,
	    .title = title,
	    .description = in->description,
	    .has_location = true,
	    .lon = in->lon,
	    .lat = in->lat,
	    .address = in->address,
	    .channel = "portal",
	    .reporter_name = in->name,
	    .reporter_phone = in->phone,
	    .on_created = code_insert,
	    .on_created_ctx = &kc,
	};
	struct cw_case_view v;
	ec = cw_case_create(s, a, env, &actor, &ci, now, &v, field);
	if (ec != CW_EC_OK) {
		/* The case service's names for what the request calls otherwise. */
		if (*field && !strcmp(*field, "reporter.name"))
			*field = "name";
		else if (*field && !strcmp(*field, "reporter.phone"))
			*field = "phone";
		else if (*field && (!strcmp(*field, "region") || !strcmp(*field, "kind")))
			*field = "location";
		return ec;
	}
	to_public(a, &v, cc.cat.cat.name, u.id, out);
	snprintf(code_shown, 16, "%s", shown);
	cw_memzero(shown, sizeof shown);
	return CW_EC_OK;
}

/* ---- follow ---- */

/* The view of a resolved case as the portal's account reads it. */
static enum cw_ec view_of(cw_store *s, struct cw_arena *a, const struct cw_case_env *env,
			  const struct resolve_ctx *r, const char *source, const char *request_id,
			  int64_t now, struct cw_portal_view *out)
{
	struct cw_actor actor = actor_of(&r->acc.u, source, request_id);
	struct cw_case_view v;
	enum cw_ec ec = cw_case_get(s, a, env, &actor, r->c.id, now, &v);
	if (ec != CW_EC_OK)
		return ec;
	to_public(a, &v, r->has_cat ? r->cat.cat.name : NULL, r->acc.u.id, out);
	/* Merged into another report of the same problem: how that one is getting on. */
	if (v.c.merged_into) {
		struct cw_case_view m;
		if (cw_case_get(s, a, env, &actor, v.c.merged_into, now, &m) == CW_EC_OK)
			out->merged_phase = cw_portal_phase(m.c.status);
	}
	return CW_EC_OK;
}

enum cw_ec cw_portal_get(cw_store *s, struct cw_arena *a, const struct cw_case_env *env,
			 const char *code, int64_t now, struct cw_portal_view *out)
{
	memset(out, 0, sizeof *out);
	struct resolve_ctx r;
	enum cw_ec ec = resolve(s, a, code, &r);
	if (ec != CW_EC_OK)
		return ec;
	return view_of(s, a, env, &r, "", "", now, out);
}

/* ---- photos ---- */

enum cw_ec cw_portal_add_photo(cw_store *s, struct cw_arena *a, const struct cw_case_env *env,
			       const char *data_dir, const char *source, const char *request_id,
			       const char *code, const struct cw_attachment_input *in,
			       int64_t now, struct cw_portal_view *out, const char **field)
{
	*field = NULL;
	memset(out, 0, sizeof *out);
	struct resolve_ctx r;
	enum cw_ec ec = resolve(s, a, code, &r);
	if (ec != CW_EC_OK)
		return ec;
	const char *phase = cw_portal_phase(r.c.status);
	if (!strcmp(phase, "closed") || !strcmp(phase, "not_accepted") || !strcmp(phase, "merged"))
		return CW_EC_ACTION_NOT_ALLOWED;
	if (r.photos >= CW_PORTAL_PHOTOS_MAX)
		return CW_EC_TOO_MANY_PHOTOS;
	struct cw_actor actor = actor_of(&r.acc.u, source, request_id);
	struct cw_attachment att;
	bool existed;
	ec = cw_attachment_add(s, a, data_dir, &actor, r.c.id, in, now, &att, &existed, field);
	if (ec != CW_EC_OK)
		return ec;
	return view_of(s, a, env, &r, source, request_id, now, out);
}

/* ---- rating ---- */

enum cw_ec cw_portal_rate(cw_store *s, struct cw_arena *a, const struct cw_case_env *env,
			  const char *source, const char *request_id, const char *code,
			  int level, const char *comment, int64_t now, struct cw_portal_view *out,
			  const char **field)
{
	*field = NULL;
	memset(out, 0, sizeof *out);
	if (level < 1 || level > 5) {
		*field = "level";
		return CW_EC_INVALID_FIELD;
	}
	enum cw_ec ec = text_field(comment, 0, CW_PORTAL_COMMENT_MAX, true, "comment", field);
	if (ec != CW_EC_OK)
		return ec;
	if (comment && !comment[strspn(comment, " \t\r\n")])
		comment = NULL;
	struct resolve_ctx r;
	if ((ec = resolve(s, a, code, &r)))
		return ec;
	struct cw_actor actor = actor_of(&r.acc.u, source, request_id);
	struct cw_case_action_input ai = {.rating = level, .comment = comment};
	struct cw_case_view v;
	/* The version just read; a change by staff in between: read again and retry. */
	for (int attempt = 0;; attempt++) {
		ec = cw_case_act(s, a, env, &actor, r.c.id, r.c.version, "rate", &ai, now, &v, field);
		if (ec != CW_EC_PRECONDITION_FAILED || attempt == 3)
			break;
		if ((ec = resolve(s, a, code, &r)))
			return ec;
	}
	if (ec == CW_EC_ACTION_NOT_ALLOWED || ec == CW_EC_PRECONDITION_FAILED)
		return CW_EC_RATING_NOT_ALLOWED;
	if (ec != CW_EC_OK) {
		if (*field && !strcmp(*field, "rating"))
			*field = "level";
		return ec;
	}
	to_public(a, &v, r.has_cat ? r.cat.cat.name : NULL, r.acc.u.id, out);
	return CW_EC_OK;
}

/* ---- categories ---- */

enum cw_ec cw_portal_categories(cw_store *s, struct cw_arena *a,
				struct cw_stored_category **items, int *n)
{
	struct cw_stored_category *all;
	int nall;
	enum cw_ec ec = cw_categories_list(s, a, NULL, &all, &nall);
	*items = NULL;
	*n = 0;
	if (ec != CW_EC_OK)
		return ec;
	struct cw_stored_category *v = cw_arena_alloc(a, (size_t)(nall + 1) * sizeof *v);
	int k = 0;
	for (int i = 0; i < nall; i++)
		if (cw_portal_category_public(all[i].cat.code, all[i].cat.kind))
			v[k++] = all[i];
	*items = v;
	*n = k;
	return CW_EC_OK;
}
