/* log.h - one-line logs on stderr: "2026-11-27T16:04:00+08:00 LEVEL message".
 * Never pass secrets (passwords, tokens, session ids, personal data) to these. */
#ifndef CW_UTIL_LOG_H
#define CW_UTIL_LOG_H

enum cw_log_level { CW_LOG_DEBUG, CW_LOG_INFO, CW_LOG_WARN, CW_LOG_ERROR };

void cw_log_set_level(enum cw_log_level lvl);
void cw_log(enum cw_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define cw_debug(...) cw_log(CW_LOG_DEBUG, __VA_ARGS__)
#define cw_info(...) cw_log(CW_LOG_INFO, __VA_ARGS__)
#define cw_warn(...) cw_log(CW_LOG_WARN, __VA_ARGS__)
#define cw_error(...) cw_log(CW_LOG_ERROR, __VA_ARGS__)

#endif
