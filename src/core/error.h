/* error.h - error codes of the one registry in errors.def.
 * A code names what went wrong; its HTTP status and localised messages live beside it. */
#ifndef CW_CORE_ERROR_H
#define CW_CORE_ERROR_H

enum cw_ec {
#define X(name, status, zh, en) CW_EC_##name,
#include "core/errors.def"
#undef X
	CW_EC__COUNT
};

enum cw_lang { CW_LANG_ZH, CW_LANG_EN };

const char *cw_ec_name(enum cw_ec ec);
int cw_ec_status(enum cw_ec ec);
const char *cw_ec_message(enum cw_ec ec, enum cw_lang lang);
/* From an Accept-Language header: the first supported language by q-value; zh-CN by default. */
enum cw_lang cw_lang_from_header(const char *accept_language);

#endif
