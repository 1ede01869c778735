/* portal.h - the rules of the citizens' portal (/m/, issue 5 point 6): tracking codes,
 * what a citizen may write, which categories the public may report, and how a case's
 * progress is told to the public. Pure: no I/O, no SQL, no JSON, no HTTP.
 *
 * A tracking code is the citizen's only key to their report (no account, no login):
 * 60 random bits as 12 symbols of Crockford's base32 (0-9 and A-Z without I, L, O, U),
 * shown as XXXX-XXXX-XXXX. Typed codes are read leniently: case, spaces and dashes
 * do not matter, and I, L read as 1 and O as 0, the digits they are mistaken for. */
#ifndef CW_CORE_PORTAL_H
#define CW_CORE_PORTAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CW_PORTAL_CODE_LEN 12	    /* symbols of a code */
#define CW_PORTAL_CODE_RANDOM 8	    /* random bytes a code is made from (60 bits used) */
#define CW_PORTAL_CODE_SHOWN 15	    /* XXXX-XXXX-XXXX */
#define CW_PORTAL_DESCRIPTION_MIN 5 /* characters */
#define CW_PORTAL_DESCRIPTION_MAX 1000
#define CW_PORTAL_TITLE_MAX 60	   /* characters of a given title */
#define CW_PORTAL_TITLE_DERIVED 30 /* characters of a title made from the description */
#define CW_PORTAL_ADDRESS_MAX 200
#define CW_PORTAL_COMMENT_MAX 500
#define CW_PORTAL_PHOTOS_MAX 3	   /* photos a citizen may add to one report */
#define CW_PORTAL_BODY_MAX 16384   /* bytes of a JSON body of the public routes */

/* The code made of random[0..8) (the first 60 bits): canon holds 13 bytes (12 symbols
 * and NUL), shown 16 (XXXX-XXXX-XXXX and NUL). Either may be NULL. */
void cw_portal_code_make(const uint8_t random[CW_PORTAL_CODE_RANDOM],
			 char canon[CW_PORTAL_CODE_LEN + 1], char shown[CW_PORTAL_CODE_SHOWN + 1]);
/* A typed code to its canonical 12 symbols (upper case, no dashes). False, with canon
 * "", unless it holds exactly 12 symbols once spaces and dashes are dropped. */
bool cw_portal_code_normalize(const char *in, char canon[CW_PORTAL_CODE_LEN + 1]);

/* Free text from the public: valid UTF-8, no control characters (but line breaks and
 * tabs when multiline), and no markup: a '<' followed by a letter, '/', '!' or '?' is
 * refused rather than stored, since the text is shown to staff in several clients. */
bool cw_portal_text_ok(const char *s, bool multiline);
/* A title made of the description's first line (spaces trimmed), at most
 * CW_PORTAL_TITLE_DERIVED characters and then "…"; out holds n bytes (n >= 8). An
 * empty first line gives "". */
void cw_portal_title(const char *description, char *out, size_t n);

/* May the public report cases of this category: the urban-management events and the
 * service requests, and the public-safety hazards (class H4: fire, production safety,
 * food, floods, road safety). Disputes, petitions (信访, a statutory procedure with the
 * petitioner's identity) and the other risk classes have their own channels. */
bool cw_portal_category_public(const char *code, const char *kind);

/* The phase a citizen sees for a case status: received, accepted, not_accepted,
 * assigned, in_progress, checking, closed, on_hold, merged (a kind's own statuses read
 * as in_progress). */
const char *cw_portal_phase(const char *status);

/* One entry of the public timeline for a stored timeline entry, or NULL to leave it
 * out: "received" (the report), the new phase when the phase changed ("reopened" when
 * a checked or closed case goes back to work), "rated", and "photo_added" for photos
 * the citizen added (by_citizen). Escalations, supervision, extensions, deadline
 * warnings and staff photos are the city's internal business. *note_public says
 * whether the entry's note is meant for the citizen: the reason a report was not
 * accepted and the result the department reported. */
const char *cw_portal_event(const char *action, const char *status_before,
			    const char *status_after, bool by_citizen, bool *note_public);

#endif
