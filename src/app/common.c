/* common.c - pieces every service shares: the command-line actor, audit records,
 * and the mapping from store results to error codes. */
#include "app/app.h"

#include <string.h>

#include "util/clock.h"
#include "util/log.h"

struct cw_actor cw_actor_cli(void)
{
	return (struct cw_actor){
	    .user_id = 0,
	    .username = "cli",
	    .roles = (1u << CW_ROLE_SYSADMIN) | (1u << CW_ROLE_SECADMIN),
	    .region_path = NULL,
	    .source = "local",
	    .request_id = "",
	};
}

int cw_app_audit(struct cw_tx *tx, const struct cw_actor *actor, const char *action,
		 const char *object, bool success, const char *detail)
{
	char roles[160];
	cw_roleset_format(actor->roles, roles, sizeof roles);
	struct cw_audit_rec rec = {
	    .at = cw_now(),
	    .user_id = actor->user_id,
	    .username = actor->username ? actor->username : "",
	    .role = roles,
	    .source = actor->source ? actor->source : "",
	    .action = action,
	    .object = object ? object : "",
	    .success = success,
	    .request_id = actor->request_id ? actor->request_id : "",
	    .detail = detail ? detail : "",
	};
	return cw_store_audit_append(tx, &rec);
}

enum cw_ec cw_app_store_ec(int rc, enum cw_ec not_found, enum cw_ec conflict)
{
	switch (rc) {
	case CW_DB_OK:
		return CW_EC_OK;
	case CW_DB_NOTFOUND:
		return not_found;
	case CW_DB_CONSTRAINT:
		return conflict;
	default:
		return CW_EC_STORE_UNAVAILABLE;
	}
}
