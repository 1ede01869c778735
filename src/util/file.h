/* file.h - durable file writes and bounded reads for data kept beside the database. */
#ifndef CW_UTIL_FILE_H
#define CW_UTIL_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct cw_arena;

/* Creates directory `path` with `mode` (exactly, whatever the umask) unless it exists
 * as a directory; when it is created, its parent is fsynced so the entry survives a
 * crash. 0, or -1 with errno. */
int cw_dir_ensure(const char *path, mode_t mode);
/* Writes data to dir/name atomically and durably: a temporary file in dir, written in
 * full, given `mode`, fsynced, renamed over name, then dir fsynced. A reader sees the
 * old file or the whole new one, never a part. 0, or -1 with errno (the temporary file
 * is removed). */
int cw_file_write_atomic(const char *dir, const char *name, const void *data, size_t len,
			 mode_t mode);
/* Reads a regular file of at most max bytes into the arena (NUL-terminated). 0, or -1
 * with errno (EFBIG when it is larger than max). */
int cw_file_read(struct cw_arena *a, const char *path, size_t max, char **data, size_t *len);

#endif
