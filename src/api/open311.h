/* open311.h - the Open311 GeoReport v2 handlers (api/open311.c, docs/open311.md). */
#ifndef CW_API_OPEN311_H
#define CW_API_OPEN311_H

#include "api/api.h"

/* GET /open311/v2/{discovery|services|requests|servicerequestupdates}.{json|xml} */
void cw_h_o311_get(struct cw_req *req);
/* POST /open311/v2/{requests|servicerequestupdates}.{json|xml} (api_key) */
void cw_h_o311_post(struct cw_req *req);
void cw_h_o311_service(struct cw_req *req); /* GET /open311/v2/services/{code}.{fmt} */
void cw_h_o311_request(struct cw_req *req); /* GET /open311/v2/requests/{id}.{fmt} */
void cw_h_o311_token(struct cw_req *req);   /* GET /open311/v2/tokens/{token}.{fmt} */
/* PUT /api/v1/categories/{code}/attributes {"attributes":[…]} (sysadmin) */
void cw_h_category_attributes_put(struct cw_req *req);

/* One name=value pair of an application/x-www-form-urlencoded body. */
struct cw_form_pair {
	const char *name, *value;
};
/* Splits and decodes a form body ('+' is a space, %XX a byte); false when an escape
 * is broken or a name or value is not UTF-8. The pairs live in the arena. */
bool cw_form_parse(struct cw_arena *a, const char *body, size_t len, struct cw_form_pair **pairs,
		   int *n);

#endif
