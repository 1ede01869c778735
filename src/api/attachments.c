/* attachments.c - /api/v1/cases/{id}/attachments: photos of a case, uploaded as the raw
 * body (image/jpeg, image/png or image/webp, up to 10 MiB: the route's own body limit),
 * listed, and served back as stored: metadata stripped, content-addressed. */
#include "api/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "util/arena.h"
#include "util/clock.h"
#include "util/text.h"

/* Content-addressed bytes never change under their URL, but access may: one day. */
#define ATTACHMENT_CACHE_CONTROL "private, max-age=86400"

static const char *attachment_url(struct cw_req *req, const struct cw_attachment *a)
{
	return cw_arena_printf(req->arena, "/api/v1/cases/%" PRId64 "/attachments/%" PRId64,
			       a->case_id, a->id);
}

static json_t *attachment_json(struct cw_req *req, const struct cw_attachment *a)
{
	char at[40] = "";
	cw_time_format(a->created_at, at, sizeof at);
	return json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:s, s:s, s:s, s:s}", "id",
			 (json_int_t)a->id, "sha256", a->sha256, "mime", a->mime, "size",
			 (json_int_t)a->size, "width", (json_int_t)a->width, "height",
			 (json_int_t)a->height, "label", a->label ? a->label : "", "user",
			 a->username ? a->username : "", "created_at", at, "url",
			 attachment_url(req, a));
}

/* The short form in the case's JSON (api/cases.c). */
json_t *cw_api_attachments_brief(struct cw_req *req, const struct cw_attachment *items, int n)
{
	json_t *arr = json_array();
	for (int i = 0; i < n; i++) {
		const struct cw_attachment *a = &items[i];
		json_array_append_new(arr, json_pack("{s:I, s:s, s:I, s:s}", "id", (json_int_t)a->id,
						     "mime", a->mime, "size", (json_int_t)a->size,
						     "url", attachment_url(req, a)));
	}
	return arr;
}

static bool ids_or_reply(struct cw_req *req, int64_t *case_id, int64_t *id)
{
	if (!cw_parse_int(cw_req_param(req, 0), 1, INT64_MAX, case_id)) {
		cw_reply_error(req, CW_EC_CASE_NOT_FOUND, NULL);
		return false;
	}
	if (id && !cw_parse_int(cw_req_param(req, 1), 1, INT64_MAX, id)) {
		cw_reply_error(req, CW_EC_ATTACHMENT_NOT_FOUND, NULL);
		return false;
	}
	return true;
}

void cw_h_attachment_create(struct cw_req *req)
{
	int64_t case_id;
	if (!ids_or_reply(req, &case_id, NULL))
		return;
	struct cw_attachment_input in = {
	    .content_type = cw_req_header(req, "Content-Type"),
	    .data = req->body,
	    .len = req->body ? req->body_len : 0,
	    .label = cw_req_query(req, "label"),
	};
	if (in.label && (!*in.label || cw_utf8_len(in.label) > CW_ATTACHMENT_LABEL_MAX)) {
		cw_reply_error(req, CW_EC_INVALID_QUERY, "label");
		return;
	}
	struct cw_actor actor = cw_api_actor(req);
	struct cw_attachment a;
	bool existed;
	const char *field = NULL;
	enum cw_ec ec = cw_attachment_add(cw_api_of(req)->store, req->arena,
					  cw_api_of(req)->data_dir, &actor, case_id, &in, cw_now(),
					  &a, &existed, &field);
	if (cw_api_fail(req, ec, field))
		return;
	cw_reply_header(req, "Location", attachment_url(req, &a));
	cw_reply_json(req, existed ? 200 : 201, attachment_json(req, &a));
}

void cw_h_attachments_list(struct cw_req *req)
{
	int64_t case_id;
	if (!ids_or_reply(req, &case_id, NULL))
		return;
	struct cw_actor actor = cw_api_actor(req);
	struct cw_attachment *items;
	int n;
	if (cw_api_fail(req, cw_attachment_list(cw_api_of(req)->store, req->arena, &actor, case_id,
						&items, &n),
			NULL))
		return;
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, attachment_json(req, &items[i]));
	cw_reply_json(req, 200, json_pack("{s:o}", "items", arr));
}

/* Whether an If-None-Match list names etag (or is "*"). */
static bool none_match(const char *header, const char *etag)
{
	size_t n = strlen(etag);
	for (const char *p = header; p && *p;) {
		p += strspn(p, " \t,");
		if (!*p)
			break;
		if (*p == '*')
			return true;
		if (p[0] == 'W' && p[1] == '/')
			p += 2; /* weak comparison, as RFC 9110 asks for If-None-Match */
		size_t len = strcspn(p, ",");
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == n && memcmp(p, etag, n) == 0)
			return true;
		p += strcspn(p, ",");
	}
	return false;
}

void cw_h_attachment_get(struct cw_req *req)
{
	int64_t case_id, id;
	if (!ids_or_reply(req, &case_id, &id))
		return;
	struct cw_actor actor = cw_api_actor(req);
	struct cw_attachment a;
	if (cw_api_fail(req, cw_attachment_get(cw_api_of(req)->store, req->arena, &actor, case_id,
					       id, &a),
			NULL))
		return;
	const char *etag = cw_arena_printf(req->arena, "\"%s\"", a.sha256);
	const char *inm = cw_req_header(req, "If-None-Match");
	if (inm && none_match(inm, etag)) {
		cw_reply_header(req, "ETag", etag);
		cw_reply_header(req, "Cache-Control", ATTACHMENT_CACHE_CONTROL);
		cw_reply_empty(req, 304);
		return;
	}
	const char *data;
	size_t len;
	/* A failure here is answered with the default no-store, never cached. */
	if (cw_api_fail(req, cw_attachment_read(req->arena, cw_api_of(req)->data_dir, &a, &data,
						&len),
			NULL))
		return;
	cw_reply_header(req, "ETag", etag);
	cw_reply_header(req, "Cache-Control", ATTACHMENT_CACHE_CONTROL);
	/* Served as a download of what it is; nosniff comes with every reply. */
	cw_reply_header(req, "Content-Disposition",
			cw_arena_printf(req->arena, "inline; filename=\"%" PRId64 "-%" PRId64 ".%s\"",
					a.case_id, a.id, strrchr(a.mime, '/') + 1));
	cw_reply_header(req, "Content-Security-Policy", "default-src 'none'; sandbox");
	cw_reply_text(req, 200, a.mime, data, len);
}
