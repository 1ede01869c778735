/* sqlite_vfs.h - the VFS every civicgrid SQLite connection opens with: the default one,
 * with a commit's WAL frames written in one system call (see sqlite_vfs.c). */
#ifndef CW_STORE_SQLITE_VFS_H
#define CW_STORE_SQLITE_VFS_H

#define CW_SQLITE_VFS "cw-unix"

/* Registers the VFS on first use; its name, or NULL when the default VFS cannot be
 * wrapped (then open with SQLite's default). */
const char *cw_sqlite_vfs(void);

#endif
