/* attachments.c - photos of cases: checked and stripped of metadata (core/image.h),
 * stored content-addressed under the data dir before their row commits, listed and read
 * back under the case's visibility. */
#include "app/app.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/image.h"
#include "util/arena.h"
#include "util/crypto.h"
#include "util/file.h"
#include "util/log.h"

/* Who may see a case's photos: whoever sees the case (its region in their scope), and
 * the one who reported it. */
static bool may_see(const struct cw_actor *actor, const struct cw_case *c)
{
	return !actor->region_path || cw_scope_contains(actor->region_path, c->region_path) ||
	       (actor->user_id && c->reporter_user_id == actor->user_id);
}

/* Rejected and merged cases are final: nothing is added to them. */
static bool is_final(const struct cw_case *c)
{
	return strcmp(c->status, "rejected") == 0 || strcmp(c->status, "merged") == 0;
}

const char *cw_attachment_path(struct cw_arena *a, const char *data_dir, const char *sha256)
{
	return cw_arena_printf(a, "%s/attachments/%.2s/%s", data_dir, sha256, sha256);
}

/* ---- the case check every service starts with ---- */

struct case_ctx {
	const struct cw_actor *actor;
	int64_t case_id, id;
	bool for_write; /* also refuse a final case */
	enum cw_ec ec;
	/* add */
	struct cw_attachment *att;
	bool existed;
	int64_t now;
	/* list */
	struct cw_attachment *items;
	int n;
};

static int check_case(struct cw_tx *tx, struct case_ctx *c)
{
	struct cw_case k;
	int rc = cw_store_case_get(tx, c->case_id, &k);
	if (rc == CW_DB_OK && !may_see(c->actor, &k))
		rc = CW_DB_NOTFOUND;
	if (rc == CW_DB_NOTFOUND) {
		c->ec = CW_EC_CASE_NOT_FOUND;
		return CW_DB_ABORT;
	}
	if (rc != CW_DB_OK)
		return rc;
	if (c->for_write && is_final(&k)) {
		c->ec = CW_EC_ACTION_NOT_ALLOWED;
		return CW_DB_ABORT;
	}
	return CW_DB_OK;
}

static int check_tx(struct cw_tx *tx, void *p)
{
	return check_case(tx, p);
}

/* ---- add ---- */

static int add_tx(struct cw_tx *tx, void *p)
{
	struct case_ctx *c = p;
	struct cw_arena *a = cw_store_tx_arena(tx);
	int rc = check_case(tx, c);
	if (rc != CW_DB_OK)
		return rc;
	rc = cw_store_attachment_insert(tx, c->att, &c->existed);
	if (rc != CW_DB_OK || c->existed)
		return rc;
	const char *detail = cw_arena_printf(a, "{\"attachment\":%lld,\"mime\":\"%s\",\"size\":%lld}",
					     (long long)c->att->id, c->att->mime,
					     (long long)c->att->size);
	struct cw_case_event e = {.case_id = c->case_id, .at = c->now,
				  .user_id = c->actor->user_id, .username = c->actor->username,
				  .action = "attach", .note = c->att->label, .detail = detail};
	rc = cw_store_case_event_append(tx, &e);
	if (rc == CW_DB_OK)
		rc = cw_app_audit(tx, c->actor, "case.attach",
				  cw_arena_printf(a, "case:%lld", (long long)c->case_id), true,
				  cw_arena_printf(a, "attachment:%lld sha256:%s",
						  (long long)c->att->id, c->att->sha256));
	return rc;
}

/* Puts the bytes at their content address unless they are there already. */
static enum cw_ec store_file(struct cw_arena *a, const char *data_dir, const char *sha,
			     const void *data, size_t len)
{
	if (!data_dir || !*data_dir) {
		cw_error("attachments: no data dir configured");
		return CW_EC_INTERNAL;
	}
	const char *top = cw_arena_printf(a, "%s/attachments", data_dir);
	const char *dir = cw_arena_printf(a, "%s/%.2s", top, sha);
	const char *path = cw_attachment_path(a, data_dir, sha);
	char *old;
	size_t old_len;
	/* Present and whole (its name is its hash): nothing to write. */
	if (cw_file_read(a, path, CW_ATTACHMENT_MAX_BYTES, &old, &old_len) == 0 &&
	    old_len == len && memcmp(old, data, len) == 0)
		return CW_EC_OK;
	if (cw_dir_ensure(data_dir, 0750) != 0 || cw_dir_ensure(top, 0750) != 0 ||
	    cw_dir_ensure(dir, 0750) != 0 || cw_file_write_atomic(dir, sha, data, len, 0640) != 0) {
		cw_error("attachments: cannot store %s under %s: %s", sha, data_dir,
			 strerror(errno));
		return CW_EC_STORE_UNAVAILABLE;
	}
	return CW_EC_OK;
}

enum cw_ec cw_attachment_add(cw_store *s, struct cw_arena *a, const char *data_dir,
			     const struct cw_actor *actor, int64_t case_id,
			     const struct cw_attachment_input *in, int64_t now,
			     struct cw_attachment *out, bool *existed, const char **field)
{
	memset(out, 0, sizeof *out);
	*existed = false;
	*field = NULL;
	if (in->len > CW_ATTACHMENT_MAX_BYTES)
		return CW_EC_PAYLOAD_TOO_LARGE;

	/* The case first: one out of reach answers 404 whatever the body and its type. */
	struct case_ctx c = {.actor = actor, .case_id = case_id, .for_write = true, .now = now,
			     .att = out};
	int rc = cw_store_tx(s, a, false, check_tx, &c);
	if (c.ec != CW_EC_OK)
		return c.ec;
	if (rc != CW_DB_OK)
		return cw_app_store_ec(rc, CW_EC_CASE_NOT_FOUND, CW_EC_INTERNAL);

	enum cw_image_type declared = cw_image_type_of_mime(in->content_type);
	enum cw_image_type found = cw_image_detect(in->data, in->len);
	if (declared == CW_IMAGE_NONE || found != declared) {
		*field = "Content-Type";
		return CW_EC_UNSUPPORTED_IMAGE;
	}
	uint8_t *clean = cw_arena_alloc(a, in->len ? in->len : 1);
	size_t clean_len;
	struct cw_image_info info;
	if (cw_image_strip(in->data, in->len, clean, &clean_len, &info) != CW_IMAGE_OK)
		return CW_EC_INVALID_IMAGE;

	char sha[CW_SHA256_HEX_LEN];
	cw_sha256_hex(clean, clean_len, sha);
	/* On disk before the row commits: a committed row always has its file. A refusal
	 * after this (the case changed meanwhile) leaves a file no row names, which is
	 * harmless: content-addressed, and written again the same by the next upload. */
	enum cw_ec ec = store_file(a, data_dir, sha, clean, clean_len);
	if (ec != CW_EC_OK)
		return ec;

	out->case_id = case_id;
	out->sha256 = cw_arena_strdup(a, sha);
	out->mime = cw_image_mime(info.type);
	out->size = (int64_t)clean_len;
	out->width = info.width;
	out->height = info.height;
	out->label = in->label ? in->label : "";
	out->user_id = actor->user_id;
	out->username = actor->username;
	out->created_at = now;
	c.ec = CW_EC_OK;
	rc = cw_store_tx(s, a, true, add_tx, &c);
	if (c.ec != CW_EC_OK)
		return c.ec;
	*existed = c.existed;
	return cw_app_store_ec(rc, CW_EC_CASE_NOT_FOUND, CW_EC_INTERNAL);
}

/* ---- read ---- */

static int list_tx(struct cw_tx *tx, void *p)
{
	struct case_ctx *c = p;
	int rc = check_case(tx, c);
	if (rc != CW_DB_OK)
		return rc;
	return cw_store_attachments_of_case(tx, c->case_id, &c->items, &c->n);
}

enum cw_ec cw_attachment_list(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			      int64_t case_id, struct cw_attachment **items, int *n)
{
	struct case_ctx c = {.actor = actor, .case_id = case_id};
	int rc = cw_store_tx(s, a, false, list_tx, &c);
	*items = c.items;
	*n = c.n;
	if (c.ec != CW_EC_OK)
		return c.ec;
	return cw_app_store_ec(rc, CW_EC_CASE_NOT_FOUND, CW_EC_INTERNAL);
}

static int get_tx(struct cw_tx *tx, void *p)
{
	struct case_ctx *c = p;
	int rc = check_case(tx, c);
	if (rc != CW_DB_OK)
		return rc;
	rc = cw_store_attachment_get(tx, c->case_id, c->id, c->att);
	if (rc == CW_DB_NOTFOUND) {
		c->ec = CW_EC_ATTACHMENT_NOT_FOUND;
		return CW_DB_ABORT;
	}
	return rc;
}

enum cw_ec cw_attachment_get(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			     int64_t case_id, int64_t id, struct cw_attachment *out)
{
	memset(out, 0, sizeof *out);
	struct case_ctx c = {.actor = actor, .case_id = case_id, .id = id, .att = out};
	int rc = cw_store_tx(s, a, false, get_tx, &c);
	if (c.ec != CW_EC_OK)
		return c.ec;
	return cw_app_store_ec(rc, CW_EC_ATTACHMENT_NOT_FOUND, CW_EC_INTERNAL);
}

enum cw_ec cw_attachment_read(struct cw_arena *a, const char *data_dir,
			      const struct cw_attachment *att, const char **data, size_t *len)
{
	char *buf;
	size_t n;
	if (!data_dir || !*data_dir) {
		cw_error("attachments: no data dir configured");
		return CW_EC_INTERNAL;
	}
	const char *path = cw_attachment_path(a, data_dir, att->sha256);
	if (cw_file_read(a, path, CW_ATTACHMENT_MAX_BYTES, &buf, &n) != 0) {
		cw_error("attachments: cannot read %s: %s", att->sha256, strerror(errno));
		return CW_EC_INTERNAL;
	}
	char sha[CW_SHA256_HEX_LEN];
	cw_sha256_hex(buf, n, sha);
	if (strcmp(sha, att->sha256) != 0) {
		cw_error("attachments: %s is damaged on disk (its hash is %s)", att->sha256, sha);
		return CW_EC_INTERNAL;
	}
	*data = buf;
	*len = n;
	return CW_EC_OK;
}
