/* escalation_policy.c - the escalation policy (DOMAIN.md §3) as configuration: kept as
 * JSON in the settings table under "escalation_policy", read by the scheduler at the
 * start of each pass, shown and replaced through the API. */
#include "app/app.h"

#include <stdlib.h>
#include <string.h>

#include "util/arena.h"

#define SETTING_KEY "escalation_policy"
#define GRACE_HOURS_MAX 8760 /* a year */
#define MAX_ESCALATIONS_MAX 4
#define CATEGORIES_MAX 1000

static const char *const rule_keys[] = {"warn_percent", "escalate", "grace_hours"};

/* One rule object onto *r (fields it leaves out keep their value). */
static enum cw_ec parse_rule(struct cw_arena *a, const json_t *o, const char *at,
			     struct cw_escalation_rule *r, const char **field)
{
	if (!json_is_object(o)) {
		*field = at;
		return CW_EC_INVALID_FIELD;
	}
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)o, key, v)
	{
		const char *f = cw_arena_printf(a, "%s.%s", at, key);
		if (strcmp(key, rule_keys[0]) == 0) {
			if (!json_is_integer(v) || json_integer_value(v) < 0 ||
			    json_integer_value(v) > 100) {
				*field = f;
				return CW_EC_INVALID_FIELD;
			}
			r->warn_permille = (int)json_integer_value(v) * 10;
		} else if (strcmp(key, rule_keys[1]) == 0) {
			if (!json_is_boolean(v)) {
				*field = f;
				return CW_EC_INVALID_FIELD;
			}
			r->escalate = json_is_true(v);
		} else if (strcmp(key, rule_keys[2]) == 0) {
			if (!json_is_integer(v) || json_integer_value(v) < 0 ||
			    json_integer_value(v) > GRACE_HOURS_MAX) {
				*field = f;
				return CW_EC_INVALID_FIELD;
			}
			r->grace = json_integer_value(v) * 3600;
		} else {
			*field = f;
			return CW_EC_UNKNOWN_FIELD;
		}
	}
	return CW_EC_OK;
}

/* {"grid": {…}, …} onto p->at[], noting which levels it names in *set. */
static enum cw_ec parse_levels(struct cw_arena *a, const json_t *o, const char *at,
			       struct cw_escalation_policy *p, unsigned *set, const char **field)
{
	if (!json_is_object(o)) {
		*field = at;
		return CW_EC_INVALID_FIELD;
	}
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)o, key, v)
	{
		enum cw_level l = cw_level_parse(key);
		const char *f = cw_arena_printf(a, "%s.%s", at, key);
		if (l == CW_LEVEL_INVALID) {
			*field = f;
			return CW_EC_UNKNOWN_FIELD;
		}
		enum cw_ec ec = parse_rule(a, v, f, &p->at[l], field);
		if (ec != CW_EC_OK)
			return ec;
		*set |= 1u << l;
	}
	return CW_EC_OK;
}

static enum cw_ec parse_max(const json_t *v, const char *at, int *out, const char **field)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > MAX_ESCALATIONS_MAX) {
		*field = at;
		return CW_EC_INVALID_FIELD;
	}
	*out = (int)json_integer_value(v);
	return CW_EC_OK;
}

static bool category_code_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 16)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((s[i] < '0' || s[i] > '9') && (s[i] < 'A' || s[i] > 'Z'))
			return false;
	return true;
}

enum cw_ec cw_escalation_config_parse(struct cw_arena *a, const json_t *in,
				      struct cw_escalation_config *out, const char **field)
{
	memset(out, 0, sizeof *out);
	out->base = cw_escalation_policy_default();
	*field = NULL;
	if (!json_is_object(in)) {
		*field = "levels";
		return CW_EC_INVALID_FIELD;
	}
	enum cw_ec ec;
	unsigned set = 0;
	const json_t *levels = json_object_get(in, "levels");
	const json_t *max = json_object_get(in, "max_escalations");
	const json_t *cats = json_object_get(in, "categories");
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)in, key, v)
	{
		if (strcmp(key, "levels") && strcmp(key, "max_escalations") &&
		    strcmp(key, "categories")) {
			*field = cw_arena_strdup(a, key);
			return CW_EC_UNKNOWN_FIELD;
		}
	}
	if (levels && (ec = parse_levels(a, levels, "levels", &out->base, &set, field)))
		return ec;
	if (max && (ec = parse_max(max, "max_escalations", &out->base.max_escalations, field)))
		return ec;
	if (!cats)
		return CW_EC_OK;
	if (!json_is_object(cats) || json_object_size(cats) > CATEGORIES_MAX) {
		*field = "categories";
		return CW_EC_INVALID_FIELD;
	}
	out->categories = cw_arena_alloc(a, (json_object_size(cats) + 1) * sizeof *out->categories);
	json_object_foreach((json_t *)cats, key, v)
	{
		const char *at = cw_arena_printf(a, "categories.%s", key);
		if (!category_code_ok(key) || !json_is_object(v)) {
			*field = at;
			return CW_EC_INVALID_FIELD;
		}
		struct cw_escalation_override *o = &out->categories[out->ncategories++];
		memset(o, 0, sizeof *o);
		o->category = cw_arena_strdup(a, key);
		o->policy = out->base;
		const char *k2;
		json_t *v2;
		json_object_foreach(v, k2, v2)
		{
			const char *f = cw_arena_printf(a, "%s.%s", at, k2);
			if (strcmp(k2, "levels") == 0)
				ec = parse_levels(a, v2, f, &o->policy, &o->levels_set, field);
			else if (strcmp(k2, "max_escalations") == 0) {
				ec = parse_max(v2, f, &o->policy.max_escalations, field);
				o->max_set = true;
			} else {
				*field = f;
				ec = CW_EC_UNKNOWN_FIELD;
			}
			if (ec != CW_EC_OK)
				return ec;
		}
	}
	return CW_EC_OK;
}

static json_t *rule_json(const struct cw_escalation_rule *r)
{
	return json_pack("{s:i, s:b, s:I}", "warn_percent", r->warn_permille / 10, "escalate",
			 r->escalate, "grace_hours", (json_int_t)(r->grace / 3600));
}

json_t *cw_escalation_config_json(const struct cw_escalation_config *c)
{
	json_t *levels = json_object();
	for (int l = 0; l < CW_LEVEL__COUNT; l++)
		json_object_set_new(levels, cw_level_name((enum cw_level)l), rule_json(&c->base.at[l]));
	json_t *cats = json_object();
	for (int i = 0; i < c->ncategories; i++) {
		const struct cw_escalation_override *o = &c->categories[i];
		json_t *oj = json_object();
		json_t *ol = json_object();
		for (int l = 0; l < CW_LEVEL__COUNT; l++)
			if (o->levels_set & (1u << l))
				json_object_set_new(ol, cw_level_name((enum cw_level)l),
						    rule_json(&o->policy.at[l]));
		json_object_set_new(oj, "levels", ol);
		if (o->max_set)
			json_object_set_new(oj, "max_escalations",
					    json_integer(o->policy.max_escalations));
		json_object_set_new(cats, o->category, oj);
	}
	return json_pack("{s:o, s:i, s:o}", "levels", levels, "max_escalations",
			 c->base.max_escalations, "categories", cats);
}

const struct cw_escalation_policy *cw_escalation_config_for(const struct cw_escalation_config *c,
							    const char *category)
{
	/* The longest listed code that the category's code starts with: an override of a
	 * class ("01") covers its subclasses ("01001"). */
	const struct cw_escalation_policy *best = &c->base;
	size_t best_len = 0;
	for (int i = 0; i < c->ncategories && category; i++) {
		size_t n = strlen(c->categories[i].category);
		if (n > best_len && strncmp(category, c->categories[i].category, n) == 0) {
			best = &c->categories[i].policy;
			best_len = n;
		}
	}
	return best;
}

/* ---- stored ---- */

int cw_escalation_config_load_tx(struct cw_tx *tx, struct cw_escalation_config *out)
{
	const char *text = NULL;
	int rc = cw_store_setting_get(tx, SETTING_KEY, &text);
	memset(out, 0, sizeof *out);
	out->base = cw_escalation_policy_default();
	if (rc == CW_DB_NOTFOUND)
		return CW_DB_OK;
	if (rc != CW_DB_OK)
		return rc;
	json_t *j = json_loads(text, 0, NULL);
	const char *field;
	enum cw_ec ec = cw_escalation_config_parse(cw_store_tx_arena(tx), j, out, &field);
	json_decref(j);
	/* It was checked when it was stored: a value that no longer parses is a bug. */
	return ec == CW_EC_OK ? CW_DB_OK : CW_DB_ERROR;
}

struct get_ctx {
	struct cw_escalation_config *out;
};

static int get_tx(struct cw_tx *tx, void *p)
{
	struct get_ctx *c = p;
	return cw_escalation_config_load_tx(tx, c->out);
}

enum cw_ec cw_escalation_policy_get(cw_store *s, struct cw_arena *a,
				    struct cw_escalation_config *out)
{
	struct get_ctx c = {.out = out};
	return cw_app_store_ec(cw_store_tx(s, a, false, get_tx, &c), CW_EC_INTERNAL,
			       CW_EC_INTERNAL);
}

struct set_ctx {
	const struct cw_actor *actor;
	const struct cw_escalation_config *cfg;
	const char *text;
	int64_t now;
	const char *field;
	bool changed;
};

static int set_tx(struct cw_tx *tx, void *p)
{
	struct set_ctx *c = p;
	/* Every overridden category must exist (active or not: old cases keep theirs). */
	for (int i = 0; i < c->cfg->ncategories; i++) {
		struct cw_stored_category cat;
		int rc = cw_store_category_get(tx, c->cfg->categories[i].category, &cat);
		if (rc == CW_DB_NOTFOUND) {
			c->field = cw_arena_printf(cw_store_tx_arena(tx), "categories.%s",
						   c->cfg->categories[i].category);
			return CW_DB_ABORT;
		}
		if (rc != CW_DB_OK)
			return rc;
	}
	const char *old = NULL;
	int rc = cw_store_setting_get(tx, SETTING_KEY, &old);
	if (rc != CW_DB_OK && rc != CW_DB_NOTFOUND)
		return rc;
	c->changed = !old || strcmp(old, c->text) != 0;
	if (!c->changed)
		return CW_DB_OK;
	rc = cw_store_setting_set(tx, SETTING_KEY, c->text, c->now);
	if (rc == CW_DB_OK)
		rc = cw_app_audit(tx, c->actor, "escalation_policy.set", "escalation_policy", true,
				  c->text);
	return rc;
}

enum cw_ec cw_escalation_policy_set(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
				    const json_t *in, int64_t now, const char **field)
{
	*field = NULL;
	if (!cw_roles_allow(actor->roles, CW_PERM_CONFIG_WRITE))
		return CW_EC_FORBIDDEN;
	struct cw_escalation_config cfg;
	enum cw_ec ec = cw_escalation_config_parse(a, in, &cfg, field);
	if (ec != CW_EC_OK)
		return ec;
	/* Stored in the canonical form the API shows. */
	json_t *j = cw_escalation_config_json(&cfg);
	char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	if (!text)
		return CW_EC_INTERNAL;
	struct set_ctx c = {.actor = actor, .cfg = &cfg, .text = cw_arena_strdup(a, text),
			    .now = now};
	free(text);
	int rc = cw_store_tx(s, a, true, set_tx, &c);
	if (rc == CW_DB_ABORT && c.field) {
		*field = c.field;
		return CW_EC_CATEGORY_NOT_FOUND;
	}
	return cw_app_store_ec(rc, CW_EC_INTERNAL, CW_EC_INTERNAL);
}
