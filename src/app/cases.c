/* cases.c - the case services: report, read with allowed actions, act through the
 * engine (core/case_flow.h), list. Each one transaction, audited in it. */
#include "app/app.h"
#include "app/case_internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/case_flow.h"
#include "core/category.h"
#include "util/arena.h"
#include "util/text.h"

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

static bool visible(const struct cw_actor *actor, const char *path)
{
	return !actor->region_path || cw_scope_contains(actor->region_path, path);
}

/* ---- the engine's view of a stored case ---- */

static void to_state(const struct cw_case_kind *k, const struct cw_case *c,
		     struct cw_case_state *st)
{
	memset(st, 0, sizeof *st);
	st->id = c->id;
	st->status = cw_case_status_parse(k, c->status);
	st->resume_status = cw_case_status_parse(k, c->resume_status);
	st->level = cw_level_parse(c->level);
	st->department = c->department_id;
	st->merged_into = c->merged_into;
	st->clock = 0;
	for (int ph = 1; ph < CW_CASE_PH_MAX && c->clock && *c->clock; ph++) {
		const char *name = cw_case_phase_name(k, ph);
		if (name && strcmp(name, c->clock) == 0) {
			st->clock = ph;
			break;
		}
	}
	st->overdue = c->overdue;
	st->warned = c->warned;
	st->supervised = c->supervised;
	st->extension_pending = c->extension_pending;
	st->extension_days_asked = c->extension_days_asked;
	st->extensions = c->extensions;
	st->extension_days = c->extension_days;
	st->reworks = c->reworks;
	st->escalations = c->escalations;
	st->ratings = c->ratings;
	st->rating = c->rating;
	st->rectifications = c->rectifications;
	st->kind_flags = (uint32_t)c->kind_flags;
	st->windows_open = 0; /* worked out from the timeline: windows_open() */
}

static void from_state(const struct cw_case_kind *k, const struct cw_case_state *st,
		       struct cw_case *c)
{
	c->status = cw_case_status_name(k, st->status);
	c->resume_status = st->resume_status ? cw_case_status_name(k, st->resume_status) : "";
	c->level = cw_level_name(st->level);
	c->department_id = st->department;
	c->merged_into = st->merged_into;
	const char *ph = st->clock ? cw_case_phase_name(k, st->clock) : NULL;
	c->clock = ph ? ph : "";
	c->overdue = st->overdue;
	c->warned = st->warned;
	c->supervised = st->supervised;
	c->extension_pending = st->extension_pending;
	c->extension_days_asked = st->extension_days_asked;
	c->extensions = st->extensions;
	c->extension_days = st->extension_days;
	c->reworks = st->reworks;
	c->escalations = st->escalations;
	c->ratings = st->ratings;
	c->rating = st->rating;
	c->rectifications = st->rectifications;
	c->kind_flags = st->kind_flags;
}

static void case_actor_of(const struct cw_user *u, const struct cw_case *c,
			  struct cw_case_actor *out);

/* The actor's relations to the case, from their stored account (the command line
 * acts everywhere, as an administrator without case roles). */
static int case_actor(struct cw_tx *tx, const struct cw_actor *actor, const struct cw_case *c,
		      struct cw_case_actor *out)
{
	memset(out, 0, sizeof *out);
	out->roles = actor->roles;
	if (!actor->user_id) {
		out->in_scope = out->level_ok = true;
		return CW_DB_OK;
	}
	struct cw_user u;
	int rc = cw_store_user_get(tx, actor->user_id, &u);
	if (rc != CW_DB_OK)
		return rc;
	case_actor_of(&u, c, out);
	return CW_DB_OK;
}

/* case_actor's relations from the actor's stored account u. */
static void case_actor_of(const struct cw_user *u0, const struct cw_case *c,
			  struct cw_case_actor *out)
{
	const struct cw_user u = *u0;
	out->roles = u.roles;
	out->in_scope = cw_scope_contains(u.region_path, c->region_path);
	out->level_ok = cw_region_code_level(u.region) <= cw_level_parse(c->level);
	out->department = u.department_id != 0 && u.department_id == c->department_id;
	out->grid_worker = (u.roles & (1u << CW_ROLE_GRID_WORKER)) && c->grid &&
			   strcmp(u.region, c->grid) == 0;
	out->reporter = c->reporter_user_id != 0 && c->reporter_user_id == u.id;
}

/* Which of the kind's time windows are open at `now`: a window opens at the latest
 * timeline entry of its anchor action ("dispatch", "dispatch.<outcome>") and stays open
 * for its span on the calendar. */
static uint32_t windows_open(const struct cw_case_env *env, const struct cw_case_kind *k,
			     const struct cw_case_event *tl, int n, int64_t now)
{
	uint32_t open = 0;
	for (int w = 1; w < CW_CASE_WIN_MAX && env && env->due; w++) {
		const struct cw_case_window_def *d = &k->window[w];
		const char *anchor = d->name ? cw_case_action_name(k, d->anchor) : NULL;
		if (!anchor)
			continue;
		size_t len = strlen(anchor);
		for (int i = n - 1; i >= 0; i--) {
			if (strncmp(tl[i].action, anchor, len) != 0 ||
			    (tl[i].action[len] != 0 && tl[i].action[len] != '.'))
				continue;
			int64_t until = 0;
			if (env->due(env->ctx, (int)d->span.unit, d->span.amount, tl[i].at, &until) ==
				CW_EC_OK &&
			    now <= until)
				open |= 1u << w;
			break;
		}
	}
	return open;
}

/* Reads the case's timeline, allowed actions and department code into *v. */
static int view_fill(struct cw_tx *tx, const struct cw_actor *actor,
		     const struct cw_case_env *env, int64_t now, struct cw_case_view *v)
{
	v->kind = cw_case_kind_find(v->c.kind);
	/* The reporter's personal data, masked: get_tx unmasks on request. */
	cw_pii_reporter_view(env ? env->keyring : NULL, cw_store_tx_arena(tx), &v->c, false,
			     &v->reporter);
	int rc = cw_store_case_events(tx, v->c.id, &v->timeline, &v->ntimeline);
	if (rc != CW_DB_OK)
		return rc;
	rc = cw_store_attachments_of_case(tx, v->c.id, &v->attachments, &v->nattachments);
	if (rc != CW_DB_OK)
		return rc;
	v->nactions = 0;
	/* The department's code and name, the region's and the grid's names: one
	 * statement (a region gone since, or no department, leaves NULL). */
	struct cw_case_names nm;
	rc = cw_store_case_names(tx, v->c.department_id, v->c.region, v->c.grid,
				 actor->user_id, &nm);
	if (rc != CW_DB_OK)
		return rc;
	v->department_code = nm.department_code;
	v->department_name = nm.department_name;
	v->region_name = nm.region_name;
	v->grid_name = nm.grid_name;
	if (!v->kind)
		return CW_DB_OK;
	struct cw_case_actor ca;
	struct cw_case_state st;
	/* case_actor, with the account read in the names' statement. */
	memset(&ca, 0, sizeof ca);
	ca.roles = actor->roles;
	if (!actor->user_id)
		ca.in_scope = ca.level_ok = true;
	else if (!nm.user_found)
		return CW_DB_NOTFOUND;
	else
		case_actor_of(&nm.user, &v->c, &ca);
	to_state(v->kind, &v->c, &st);
	st.windows_open = windows_open(env, v->kind, v->timeline, v->ntimeline, now);
	cw_case_actions set = cw_case_allowed(v->kind, &st, &ca);
	for (int i = 1; i < cw_case_action_count(v->kind) && i < 64; i++)
		if ((set & (1ull << i)) && v->nactions < 64)
			v->actions[v->nactions++] = cw_case_action_name(v->kind, i);
	return CW_DB_OK;
}

/* The deadline of `phase` from `now`: the category's own for handling, else the
 * kind's default. 0 when there is none. */
static enum cw_ec deadline_for(const struct cw_case_env *env, const struct cw_case_kind *k,
			       const struct cw_stored_category *cat, int phase, int64_t now,
			       int64_t *due)
{
	struct cw_case_due d = cw_case_deadline(k, phase);
	if ((phase == CW_CASE_PH_HANDLE || phase == CW_CASE_PH_REWORK) && cat &&
	    cat->cat.deadline.unit != CW_CASE_DUE_NONE)
		d = cat->cat.deadline;
	*due = 0;
	if (d.unit == CW_CASE_DUE_NONE || !env || !env->due)
		return CW_EC_OK;
	return env->due(env->ctx, (int)d.unit, d.amount, now, due);
}

/* ---- create ---- */

struct create_ctx {
	const struct cw_case_env *env;
	const struct cw_actor *actor;
	const struct cw_case_input *in;
	const struct cw_case_kind *kind;
	const char *region; /* from the location or the input */
	const char *grid;
	int64_t now;
	char day[16];
	struct cw_case_view *out;
	enum cw_ec ec;
	const char *field;
	/* What create_read_tx found, for create_tx. */
	struct cw_stored_category cat;
	struct cw_region reg;
	enum cw_level level;
	int64_t dept;
};

/* The department of `key` at `level` for a case in the region at `path`: the unit of
 * the case's district, else of the city (the demo's "<key>-<region code>"); 0 if none. */
static int department_for(struct cw_tx *tx, const char *key, enum cw_level level,
			  const char *path, int64_t *dept)
{
	struct cw_arena *a = cw_store_tx_arena(tx);
	char district[CW_REGION_CODE_MAX] = "", city[CW_REGION_CODE_MAX] = "";
	*dept = 0;
	if (!key || !*key)
		return CW_DB_OK;
	const char *q = path;
	while (*q) {
		size_t len = strcspn(q, "/");
		char part[CW_REGION_CODE_MAX] = "";
		if (len < sizeof part)
			memcpy(part, q, len);
		if (cw_region_code_level(part) == CW_LEVEL_DISTRICT)
			memcpy(district, part, sizeof part);
		else if (cw_region_code_level(part) == CW_LEVEL_CITY)
			memcpy(city, part, sizeof part);
		q += len;
		if (*q == '/')
			q++;
	}
	const char *tries[2] = {level >= CW_LEVEL_DISTRICT ? district : "", city};
	for (int i = 0; i < 2 && !*dept; i++) {
		if (!*tries[i])
			continue;
		struct cw_department d;
		int rc = cw_store_department_by_code(tx, cw_arena_printf(a, "%s-%s", key, tries[i]),
						     &d);
		if (rc == CW_DB_OK)
			*dept = d.id;
		else if (rc != CW_DB_NOTFOUND)
			return rc;
	}
	return CW_DB_OK;
}

/* A request whose Idempotency-Key was seen: the first case again (CW_DB_OK, replayed),
 * or the key reused for another request; CW_DB_NOTFOUND for a new key or none. */
static int replay(struct cw_tx *tx, struct create_ctx *c)
{
	const struct cw_case_input *in = c->in;
	if (!in->idempotency_key)
		return CW_DB_NOTFOUND;
	struct cw_idempotency_key k;
	int rc = cw_store_idempotency_get(tx, in->idempotency_key, c->actor->user_id, &k);
	if (rc != CW_DB_OK)
		return rc;
	if (strcmp(k.request_hash, or_empty(in->request_hash)) != 0) {
		c->ec = CW_EC_IDEMPOTENCY_KEY_REUSED;
		return CW_DB_ABORT;
	}
	c->out->replayed = true;
	return cw_store_case_get(tx, k.case_id, &c->out->c);
}

/* The reads a new case depends on, in a read transaction before the write one: the
 * write transactions of all callers run one after another on the single writer
 * (group commit, store/db.c), so what can be read before is read before. A category
 * switched off or a department renamed between the two counts as after the case. */
static int create_read_tx(struct cw_tx *tx, void *p)
{
	struct create_ctx *c = p;
	const struct cw_case_input *in = c->in;
	/* A replay needs none of the checks of a new case. */
	int rc = replay(tx, c);
	if (rc != CW_DB_NOTFOUND)
		return rc;
	rc = cw_store_category_get(tx, in->category, &c->cat);
	if (rc == CW_DB_NOTFOUND || (rc == CW_DB_OK && !c->cat.active)) {
		c->ec = CW_EC_CATEGORY_NOT_FOUND;
		c->field = "category";
		return CW_DB_ABORT;
	}
	if (rc != CW_DB_OK)
		return rc;
	if (strcmp(c->cat.cat.kind, in->kind) != 0) {
		c->ec = CW_EC_INVALID_FIELD;
		c->field = "kind";
		return CW_DB_ABORT;
	}
	rc = cw_store_region_get(tx, c->region, &c->reg);
	if (rc == CW_DB_NOTFOUND || (rc == CW_DB_OK && !visible(c->actor, c->reg.path))) {
		c->ec = CW_EC_REGION_NOT_FOUND;
		c->field = "region";
		return CW_DB_ABORT;
	}
	if (rc != CW_DB_OK)
		return rc;
	/* The category's first level, but never below the region the case lies in. */
	c->level = cw_level_parse(c->cat.cat.first_level);
	if (c->level == CW_LEVEL_INVALID || c->level > c->reg.level)
		c->level = c->reg.level;
	/* Department: the key at the handling level. */
	const char *key = c->level < CW_LEVEL__COUNT ? c->cat.cat.departments[c->level] : NULL;
	return department_for(tx, key, c->level, c->reg.path, &c->dept);
}

static int create_tx(struct cw_tx *tx, void *p)
{
	struct create_ctx *c = p;
	struct cw_arena *a = cw_store_tx_arena(tx);
	const struct cw_case_input *in = c->in;
	int rc;

	if ((rc = replay(tx, c)) != CW_DB_NOTFOUND)
		return rc;

	struct cw_case_state st;
	struct cw_case_effects fx;
	cw_case_open(c->kind, c->level, &st, &fx);
	st.department = c->dept;

	struct cw_case *k = &c->out->c;
	memset(k, 0, sizeof *k);
	k->kind = in->kind;
	k->category = in->category;
	k->title = in->title;
	k->description = or_empty(in->description);
	k->region = c->region;
	k->grid = c->grid;
	k->has_location = in->has_location;
	k->lon = in->lon;
	k->lat = in->lat;
	k->address = or_empty(in->address);
	k->channel = in->channel ? in->channel : "web";
	k->reporter_user_id = c->actor->user_id;
	k->created_at = k->updated_at = c->now;
	from_state(c->kind, &st, k);
	if (fx.clock == CW_CASE_CLOCK_START) {
		c->ec = deadline_for(c->env, c->kind, &c->cat, fx.phase, c->now, &k->deadline);
		if (c->ec != CW_EC_OK)
			return CW_DB_ABORT;
		k->clock_started_at = c->now;
		const char *ph = cw_case_phase_name(c->kind, fx.phase);
		k->clock = ph ? ph : "";
	}
	c->ec = cw_pii_reporter_seal(c->env ? c->env->keyring : NULL, a, in->reporter_name,
				     in->reporter_phone, k);
	if (c->ec != CW_EC_OK)
		return CW_DB_ABORT;
	rc = cw_store_case_insert(tx, k, c->day);
	if (rc != CW_DB_OK)
		return rc;
	k->region_path = c->reg.path;
	struct cw_case_event e = {.case_id = k->id, .at = c->now, .user_id = c->actor->user_id,
				  .username = c->actor->username, .action = "create",
				  .status_after = k->status};
	rc = cw_store_case_event_append(tx, &e);
	if (rc == CW_DB_OK)
		rc = cw_case_index_tx(tx, k);
	if (rc == CW_DB_OK && in->idempotency_key) {
		struct cw_idempotency_key ik = {.key = in->idempotency_key,
						.user_id = c->actor->user_id,
						.request_hash = or_empty(in->request_hash),
						.case_id = k->id, .created_at = c->now};
		rc = cw_store_idempotency_put(tx, &ik);
	}
	if (rc == CW_DB_OK)
		rc = cw_app_audit(tx, c->actor, "case.create", cw_arena_printf(a, "case:%lld",
									      (long long)k->id),
				  true, k->number);
	if (rc == CW_DB_OK && in->on_created)
		rc = in->on_created(tx, k, in->on_created_ctx);
	return rc;
}

/* The created (or replayed) case's view, after the commit. */
static int create_view_tx(struct cw_tx *tx, void *p)
{
	struct create_ctx *c = p;
	return view_fill(tx, c->actor, c->env, c->now, c->out);
}

static enum cw_ec check_text(const char *s, size_t max_chars, bool required, const char *name,
			     const char **field)
{
	if (!s) {
		if (!required)
			return CW_EC_OK;
		*field = name;
		return CW_EC_MISSING_FIELD;
	}
	if (!cw_utf8_valid(s, strlen(s)) || (required && !*s)) {
		*field = name;
		return CW_EC_INVALID_FIELD;
	}
	if (cw_utf8_len(s) > max_chars) {
		*field = name;
		return CW_EC_FIELD_TOO_LONG;
	}
	return CW_EC_OK;
}

enum cw_ec cw_case_create(cw_store *s, struct cw_arena *a, const struct cw_case_env *env,
			  const struct cw_actor *actor, const struct cw_case_input *in,
			  int64_t now, struct cw_case_view *out, const char **field)
{
	enum cw_ec ec;
	*field = NULL;
	memset(out, 0, sizeof *out);
	if (!in->kind) {
		*field = "kind";
		return CW_EC_MISSING_FIELD;
	}
	const struct cw_case_kind *kind = cw_case_kind_find(in->kind);
	if (!kind) {
		*field = "kind";
		return CW_EC_INVALID_FIELD;
	}
	if (!in->category) {
		*field = "category";
		return CW_EC_MISSING_FIELD;
	}
	if ((ec = check_text(in->title, CW_CASE_TITLE_MAX, true, "title", field)) ||
	    (ec = check_text(in->description, CW_CASE_DESCRIPTION_MAX, false, "description",
			     field)) ||
	    (ec = check_text(in->address, CW_CASE_ADDRESS_MAX, false, "address", field)) ||
	    (ec = check_text(in->channel, 32, false, "channel", field)))
		return ec;
	if ((ec = cw_pii_reporter_check(in->reporter_name, in->reporter_phone, field)))
		return ec;

	struct create_ctx c = {.env = env, .actor = actor, .in = in, .kind = kind, .now = now,
			       .out = out, .region = in->region};
	struct cw_located loc;
	if (in->has_location) {
		ec = env && env->locator
			 ? cw_grid_locate(s, a, env->locator, actor, in->lon, in->lat, &loc)
			 : CW_EC_NO_GRID;
		if (ec == CW_EC_OK) {
			c.grid = cw_arena_strdup(a, loc.grid);
			if (!c.region)
				c.region = c.grid;
		} else if (ec == CW_EC_INVALID_QUERY) {
			*field = "location";
			return CW_EC_INVALID_FIELD;
		} else if (ec != CW_EC_NO_GRID) {
			return ec;
		} else if (!in->region) {
			*field = "location";
			return CW_EC_LOCATION_NOT_IN_GRID;
		}
	} else if (!in->region) {
		*field = "location";
		return CW_EC_MISSING_FIELD;
	}
	/* Case numbers count per local (China Standard Time) day. */
	time_t t = (time_t)(now + 8 * 3600);
	struct tm tmv;
	gmtime_r(&t, &tmv);
	strftime(c.day, sizeof c.day, "%Y%m%d", &tmv);

	int rc = cw_store_tx(s, a, false, create_read_tx, &c);
	if (rc == CW_DB_OK && !out->replayed)
		rc = cw_store_tx(s, a, true, create_tx, &c);
	/* Two reports with one Idempotency-Key at once: the second insert of the key waits
	 * for the first transaction (PostgreSQL) and then meets the unique key. Run it again:
	 * it finds the key now and replays the first case. */
	for (int again = 0; rc == CW_DB_CONSTRAINT && in->idempotency_key && again < 3; again++) {
		memset(out, 0, sizeof *out);
		c.ec = CW_EC_OK;
		c.field = NULL;
		rc = cw_store_tx(s, a, true, create_tx, &c);
	}
	if (rc == CW_DB_OK)
		rc = cw_store_tx(s, a, false, create_view_tx, &c);
	if (c.ec != CW_EC_OK) {
		*field = c.field;
		return c.ec;
	}
	return cw_app_store_ec(rc, CW_EC_CASE_NOT_FOUND, CW_EC_IDEMPOTENCY_KEY_REUSED);
}

/* ---- get ---- */

struct get_ctx {
	const struct cw_case_env *env;
	int64_t now;
	const struct cw_actor *actor;
	int64_t id;
	struct cw_case_view *out;
	bool unmask;   /* the reporter's personal data in full, audited */
	enum cw_ec ec; /* FORBIDDEN for an unmask the actor may not */
};

static int get_tx(struct cw_tx *tx, void *p)
{
	struct get_ctx *c = p;
	int rc = cw_store_case_get(tx, c->id, &c->out->c);
	if (rc != CW_DB_OK)
		return rc;
	if (!visible(c->actor, c->out->c.region_path))
		return CW_DB_NOTFOUND;
	rc = view_fill(tx, c->actor, c->env, c->now, c->out);
	if (rc != CW_DB_OK || !c->unmask)
		return rc;
	const struct cw_case *k = &c->out->c;
	bool own = c->actor->user_id != 0 && k->reporter_user_id == c->actor->user_id;
	if (!own && !cw_roles_allow(c->actor->roles, CW_PERM_PII_VIEW)) {
		memset(&c->out->reporter, 0, sizeof c->out->reporter);
		c->ec = CW_EC_FORBIDDEN;
		return CW_DB_ABORT;
	}
	struct cw_arena *a = cw_store_tx_arena(tx);
	cw_pii_reporter_view(c->env ? c->env->keyring : NULL, a, k, true, &c->out->reporter);
	const struct cw_case_reporter *r = &c->out->reporter;
	const char *shown = r->name && r->phone ? "reporter.name,reporter.phone"
			    : r->name		? "reporter.name"
			    : r->phone		? "reporter.phone"
						: "";
	return cw_app_audit(tx, c->actor, "case.unmask",
			    cw_arena_printf(a, "case:%lld", (long long)k->id), true, shown);
}

enum cw_ec cw_case_get(cw_store *s, struct cw_arena *a, const struct cw_case_env *env,
		       const struct cw_actor *actor, int64_t id, int64_t now,
		       struct cw_case_view *out)
{
	return cw_case_get_unmasked(s, a, env, actor, id, now, false, out);
}

enum cw_ec cw_case_get_unmasked(cw_store *s, struct cw_arena *a, const struct cw_case_env *env,
				const struct cw_actor *actor, int64_t id, int64_t now,
				bool unmask_reporter, struct cw_case_view *out)
{
	memset(out, 0, sizeof *out);
	struct get_ctx c = {.env = env, .now = now, .actor = actor, .id = id, .out = out,
			    .unmask = unmask_reporter};
	/* An unmasked view writes its audit record: a write transaction then. */
	int rc = cw_store_tx(s, a, unmask_reporter, get_tx, &c);
	if (c.ec != CW_EC_OK) {
		memset(&out->reporter, 0, sizeof out->reporter);
		return c.ec;
	}
	return cw_app_store_ec(rc, CW_EC_CASE_NOT_FOUND, CW_EC_INTERNAL);
}

/* ---- act ---- */

struct act_ctx {
	const struct cw_case_env *env;
	const struct cw_actor *actor;
	int64_t id, if_version;
	const char *action;
	const struct cw_case_action_input *in;
	int64_t now;
	struct cw_case_view *out;
	enum cw_ec ec;
	const char *field;
};

static int act_tx(struct cw_tx *tx, void *p)
{
	struct act_ctx *c = p;
	struct cw_arena *a = cw_store_tx_arena(tx);
	struct cw_case *k = &c->out->c;
	int rc = cw_store_case_get(tx, c->id, k);
	if (rc == CW_DB_OK && !visible(c->actor, k->region_path))
		rc = CW_DB_NOTFOUND;
	if (rc != CW_DB_OK)
		return rc;
	const struct cw_case_kind *kind = cw_case_kind_find(k->kind);
	if (!kind) {
		c->ec = CW_EC_INTERNAL;
		return CW_DB_ABORT;
	}
	int action = cw_case_action_parse(kind, c->action);
	if (!action) {
		c->ec = CW_EC_UNKNOWN_ACTION;
		return CW_DB_ABORT;
	}
	if (k->version != c->if_version) {
		c->ec = CW_EC_PRECONDITION_FAILED;
		return CW_DB_ABORT;
	}
	if (action == CW_CASE_ACT_DISPATCH && c->in->department) {
		struct cw_department d;
		rc = cw_store_department_get(tx, c->in->department, &d);
		if (rc == CW_DB_NOTFOUND || (rc == CW_DB_OK && !visible(c->actor, d.region_path))) {
			c->ec = CW_EC_DEPARTMENT_NOT_FOUND;
			c->field = "department";
			return CW_DB_ABORT;
		}
		if (rc != CW_DB_OK)
			return rc;
	}
	if (action == CW_CASE_ACT_MERGE && c->in->into) {
		struct cw_case into;
		rc = cw_store_case_get(tx, c->in->into, &into);
		if (rc == CW_DB_NOTFOUND || (rc == CW_DB_OK && !visible(c->actor, into.region_path))) {
			c->ec = CW_EC_CASE_NOT_FOUND;
			c->field = "into";
			return CW_DB_ABORT;
		}
		if (rc != CW_DB_OK)
			return rc;
		/* Not into a case that is itself merged: the chain would hide the live case. */
		if (strcmp(into.status, "merged") == 0) {
			c->ec = CW_EC_ACTION_NOT_ALLOWED;
			c->field = "into";
			return CW_DB_ABORT;
		}
	}
	struct cw_case_actor ca;
	rc = case_actor(tx, c->actor, k, &ca);
	if (rc != CW_DB_OK)
		return rc;
	struct cw_case_state before, after;
	struct cw_case_effects fx;
	to_state(kind, k, &before);
	struct cw_case_event *tl;
	int ntl;
	rc = cw_store_case_events(tx, k->id, &tl, &ntl);
	if (rc != CW_DB_OK)
		return rc;
	before.windows_open = windows_open(c->env, kind, tl, ntl, c->now);
	c->ec = cw_case_apply(kind, &before, &ca, action, c->in, &after, &fx);
	if (c->ec != CW_EC_OK) {
		c->field = fx.field;
		return CW_DB_ABORT;
	}
	const char *status_before = k->status;
	from_state(kind, &after, k);

	const struct cw_case_action_input *in = c->in;
	const char *note = in->reason ? in->reason
			   : in->result	 ? in->result
			   : in->comment ? in->comment
					 : in->note;
	struct cw_case_commit_args ch = {.env = c->env, .actor = c->actor, .kind = kind, .fx = &fx,
				    .status_before = status_before, .note = note,
				    .audit_action = cw_arena_printf(a, "case.%s", c->action),
				    .now = c->now};
	rc = cw_case_commit(tx, k, &ch);
	if (rc == CW_DB_NOTFOUND) {
		c->ec = CW_EC_PRECONDITION_FAILED;
		return CW_DB_ABORT;
	}
	if (rc == CW_DB_ABORT)
		c->ec = ch.ec;
	if (rc == CW_DB_OK)
		rc = view_fill(tx, c->actor, c->env, c->now, c->out);
	return rc;
}

enum cw_ec cw_case_act(cw_store *s, struct cw_arena *a, const struct cw_case_env *env,
		       const struct cw_actor *actor, int64_t id, int64_t if_version,
		       const char *action, const struct cw_case_action_input *in, int64_t now,
		       struct cw_case_view *out, const char **field)
{
	memset(out, 0, sizeof *out);
	*field = NULL;
	struct act_ctx c = {.env = env, .actor = actor, .id = id, .if_version = if_version,
			    .action = action, .in = in, .now = now, .out = out};
	int rc = cw_store_tx(s, a, true, act_tx, &c);
	if (c.ec != CW_EC_OK) {
		*field = c.field;
		return c.ec;
	}
	return cw_app_store_ec(rc, CW_EC_CASE_NOT_FOUND, CW_EC_PRECONDITION_FAILED);
}

/* ---- persisting one change (shared with the scheduler: case_internal.h) ---- */

void cw_case_state_of(const struct cw_case_kind *k, const struct cw_case *c,
		      struct cw_case_state *st)
{
	to_state(k, c, st);
}

void cw_case_state_put(const struct cw_case_kind *k, const struct cw_case_state *st,
		       struct cw_case *c)
{
	from_state(k, st, c);
}

int cw_case_commit(struct cw_tx *tx, struct cw_case *k, struct cw_case_commit_args *ch)
{
	struct cw_arena *a = cw_store_tx_arena(tx);
	const struct cw_case_kind *kind = ch->kind;
	const struct cw_case_effects *fx = ch->fx;
	ch->ec = CW_EC_OK;
	ch->notified = 0;
	struct cw_stored_category cat;
	int rc = cw_store_category_get(tx, k->category, &cat);
	if (rc != CW_DB_OK && rc != CW_DB_NOTFOUND)
		return rc;
	switch (fx->clock) {
	case CW_CASE_CLOCK_START: {
		ch->ec = deadline_for(ch->env, kind, rc == CW_DB_OK ? &cat : NULL, fx->phase, ch->now,
				      &k->deadline);
		if (ch->ec != CW_EC_OK)
			return CW_DB_ABORT;
		const char *ph = cw_case_phase_name(kind, fx->phase);
		k->clock = ph ? ph : "";
		k->clock_started_at = ch->now;
		k->clock_remaining = 0;
		k->overdue = k->warned = false;
		break;
	}
	case CW_CASE_CLOCK_STOP:
		k->deadline = 0;
		k->clock_started_at = 0;
		k->clock_remaining = 0;
		break;
	case CW_CASE_CLOCK_PAUSE:
		k->clock_remaining = k->deadline > ch->now ? k->deadline - ch->now : 0;
		k->deadline = 0;
		break;
	case CW_CASE_CLOCK_RESUME:
		k->deadline = ch->now + k->clock_remaining;
		k->clock_remaining = 0;
		break;
	case CW_CASE_CLOCK_EXTEND:
		if (k->deadline && ch->env && ch->env->due) {
			ch->ec = ch->env->due(ch->env->ctx, CW_CASE_DUE_WORKING_DAYS, fx->days,
					      k->deadline, &k->deadline);
			if (ch->ec != CW_EC_OK)
				return CW_DB_ABORT;
		}
		break;
	case CW_CASE_CLOCK_KEEP:
		break;
	}
	k->updated_at = ch->now;
	rc = cw_store_case_update(tx, k);
	if (rc != CW_DB_OK)
		return rc; /* NOTFOUND: changed since it was read */
	struct cw_case_event e = {.case_id = k->id, .at = ch->now, .user_id = ch->actor->user_id,
				  .username = ch->actor->username, .action = fx->what,
				  .note = ch->note, .status_before = ch->status_before,
				  .status_after = k->status};
	rc = cw_store_case_event_append(tx, &e);
	if (rc == CW_DB_OK)
		rc = cw_notify_case(tx, k, fx->notify, fx->what, ch->actor->user_id, ch->now,
				    &ch->notified);
	if (rc == CW_DB_OK && ch->audit_action)
		rc = cw_app_audit(tx, ch->actor, ch->audit_action,
				  cw_arena_printf(a, "case:%lld", (long long)k->id), true, fx->what);
	return rc;
}

/* ---- list ---- */

struct list_ctx {
	const struct cw_case_filter *f;
	int limit;
	struct cw_case *items;
	int n;
};

static int list_tx(struct cw_tx *tx, void *p)
{
	struct list_ctx *c = p;
	return cw_store_case_list(tx, c->f, c->limit, &c->items, &c->n);
}

enum cw_ec cw_case_list(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			struct cw_case_filter *f, int limit, struct cw_case **items, int *n)
{
	f->scope_path = actor->region_path;
	struct list_ctx c = {.f = f, .limit = limit};
	int rc = cw_store_tx(s, a, false, list_tx, &c);
	*items = c.items;
	*n = c.n;
	return cw_app_store_ec(rc, CW_EC_CASE_NOT_FOUND, CW_EC_INTERNAL);
}
