/* sqlite_vfs.c - "cw-unix", a VFS over SQLite's default one that writes a commit's WAL
 * frames with one system call instead of two per page.
 *
 * SQLite appends each WAL frame with two pwrite calls, its 24-byte header and its page,
 * so a group commit of 100 pages costs 200 calls, which on this kind of virtual machine
 * cost more than the fsync after them (docs/performance.md). Here a WAL file gathers
 * writes that continue one another in a buffer and hands them to the real file as one
 * write when SQLite syncs, reads, truncates, asks the size, closes, or the buffer is full.
 *
 * Why this is safe: SQLite publishes new frames to other connections only in the
 * wal-index (shared memory) after walFrames has written them, and with synchronous=FULL
 * — which every civicgrid connection sets (db_sqlite.c) — it syncs the WAL before that
 * at every commit, so every frame a reader may look at is on the file by then. Frames
 * of a transaction not yet committed (a spill from the cache) are read back only by
 * the writer itself, through this same handle, which flushes before any read. A write
 * error surfaces at the flush, that is at the sync, and fails the commit. Files other
 * than WAL files are the real VFS's own, untouched. */
#include <pthread.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_vfs.h"
#include "util/gate.h"

#define CW_WAL_BUF_MAX (4u << 20) /* bytes gathered before a write regardless */
/* The unix VFS writes at most 128 KiB - 1 per call (seekAndWriteFd masks the length
 * with 0x1ffff), so a flush hands it pieces of 31 pages. */
#define CW_WAL_WRITE_MAX ((size_t)0x1f000)

struct wal_file {
	sqlite3_file base;
	sqlite3_file *real; /* the default VFS's file, in the bytes after this struct */
	unsigned char *buf;
	size_t len, cap;
	sqlite3_int64 off; /* file offset of buf[0] */
};

static sqlite3_vfs *real_vfs;
static sqlite3_vfs cw_vfs;
static sqlite3_io_methods wal_methods;

static int flush(struct wal_file *f)
{
	int rc = SQLITE_OK;
	for (size_t at = 0; at < f->len && rc == SQLITE_OK; at += CW_WAL_WRITE_MAX) {
		size_t n = f->len - at < CW_WAL_WRITE_MAX ? f->len - at : CW_WAL_WRITE_MAX;
		rc = f->real->pMethods->xWrite(f->real, f->buf + at, (int)n,
					       f->off + (sqlite3_int64)at);
	}
	f->len = 0;
	return rc;
}

static int w_close(sqlite3_file *p)
{
	struct wal_file *f = (struct wal_file *)p;
	int rc = flush(f);
	int rc2 = f->real->pMethods->xClose(f->real);
	free(f->buf);
	f->buf = NULL;
	f->cap = 0;
	return rc != SQLITE_OK ? rc : rc2;
}

static int w_read(sqlite3_file *p, void *out, int n, sqlite3_int64 off)
{
	struct wal_file *f = (struct wal_file *)p;
	int rc = flush(f);
	return rc != SQLITE_OK ? rc : f->real->pMethods->xRead(f->real, out, n, off);
}

static int w_write(sqlite3_file *p, const void *data, int n, sqlite3_int64 off)
{
	struct wal_file *f = (struct wal_file *)p;
	if (f->len && off != f->off + (sqlite3_int64)f->len) {
		int rc = flush(f);
		if (rc != SQLITE_OK)
			return rc;
	}
	if (f->len + (size_t)n > CW_WAL_BUF_MAX) {
		int rc = flush(f);
		if (rc != SQLITE_OK)
			return rc;
	}
	if (f->len + (size_t)n > f->cap) {
		size_t cap = f->cap ? f->cap : 64u << 10;
		while (cap < f->len + (size_t)n)
			cap *= 2;
		unsigned char *b = realloc(f->buf, cap);
		if (!b) { /* no memory for the buffer: write through */
			int rc = flush(f);
			return rc != SQLITE_OK ? rc : f->real->pMethods->xWrite(f->real, data, n, off);
		}
		f->buf = b;
		f->cap = cap;
	}
	if (!f->len)
		f->off = off;
	memcpy(f->buf + f->len, data, (size_t)n);
	f->len += (size_t)n;
	return SQLITE_OK;
}

static int w_truncate(sqlite3_file *p, sqlite3_int64 size)
{
	struct wal_file *f = (struct wal_file *)p;
	int rc = flush(f);
	return rc != SQLITE_OK ? rc : f->real->pMethods->xTruncate(f->real, size);
}

static int w_sync(sqlite3_file *p, int flags)
{
	struct wal_file *f = (struct wal_file *)p;
	int rc = flush(f);
	return rc != SQLITE_OK ? rc : f->real->pMethods->xSync(f->real, flags);
}

static int w_file_size(sqlite3_file *p, sqlite3_int64 *size)
{
	struct wal_file *f = (struct wal_file *)p;
	int rc = flush(f);
	return rc != SQLITE_OK ? rc : f->real->pMethods->xFileSize(f->real, size);
}

static int w_lock(sqlite3_file *p, int level)
{
	struct wal_file *f = (struct wal_file *)p;
	return f->real->pMethods->xLock(f->real, level);
}

static int w_unlock(sqlite3_file *p, int level)
{
	struct wal_file *f = (struct wal_file *)p;
	return f->real->pMethods->xUnlock(f->real, level);
}

static int w_check_reserved(sqlite3_file *p, int *out)
{
	struct wal_file *f = (struct wal_file *)p;
	return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int w_file_control(sqlite3_file *p, int op, void *arg)
{
	struct wal_file *f = (struct wal_file *)p;
	int rc = flush(f);
	return rc != SQLITE_OK ? rc : f->real->pMethods->xFileControl(f->real, op, arg);
}

static int w_sector_size(sqlite3_file *p)
{
	struct wal_file *f = (struct wal_file *)p;
	return f->real->pMethods->xSectorSize(f->real);
}

static int w_device(sqlite3_file *p)
{
	struct wal_file *f = (struct wal_file *)p;
	return f->real->pMethods->xDeviceCharacteristics(f->real);
}

/* The real file lives after our struct, aligned for any type. */
#define REAL_OFFSET ((sizeof(struct wal_file) + 15) & ~(size_t)15)

static int v_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *p, int flags, int *out_flags)
{
	(void)vfs;
	if (!(flags & SQLITE_OPEN_WAL))
		return real_vfs->xOpen(real_vfs, name, p, flags, out_flags);
	struct wal_file *f = (struct wal_file *)p;
	memset(f, 0, (size_t)cw_vfs.szOsFile);
	f->real = (sqlite3_file *)((char *)p + REAL_OFFSET);
	int rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out_flags);
	if (rc != SQLITE_OK) {
		/* SQLite does not close a file whose open failed (pMethods NULL); the
		 * real file's own pMethods tells whether it needs closing. */
		if (f->real->pMethods)
			f->real->pMethods->xClose(f->real);
		f->base.pMethods = NULL;
		return rc;
	}
	f->base.pMethods = &wal_methods;
	return SQLITE_OK;
}

/* The rest of the VFS is the real one's. */
static int v_delete(sqlite3_vfs *v, const char *n, int sync)
{
	(void)v;
	return real_vfs->xDelete(real_vfs, n, sync);
}
static int v_access(sqlite3_vfs *v, const char *n, int flags, int *out)
{
	(void)v;
	return real_vfs->xAccess(real_vfs, n, flags, out);
}
static int v_full_pathname(sqlite3_vfs *v, const char *n, int len, char *out)
{
	(void)v;
	return real_vfs->xFullPathname(real_vfs, n, len, out);
}
static void *v_dlopen(sqlite3_vfs *v, const char *n)
{
	(void)v;
	return real_vfs->xDlOpen(real_vfs, n);
}
static void v_dlerror(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	real_vfs->xDlError(real_vfs, n, out);
}
static void (*v_dlsym(sqlite3_vfs *v, void *h, const char *s))(void)
{
	(void)v;
	return real_vfs->xDlSym(real_vfs, h, s);
}
static void v_dlclose(sqlite3_vfs *v, void *h)
{
	(void)v;
	real_vfs->xDlClose(real_vfs, h);
}
static int v_randomness(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return real_vfs->xRandomness(real_vfs, n, out);
}
/* SQLite's busy handler sleeps here: out of the gate (util/gate.h) meanwhile. */
static int v_sleep(sqlite3_vfs *v, int us)
{
	(void)v;
	bool gate = cw_gate_pause();
	int rc = real_vfs->xSleep(real_vfs, us);
	cw_gate_resume(gate);
	return rc;
}
static int v_current_time(sqlite3_vfs *v, double *out)
{
	(void)v;
	return real_vfs->xCurrentTime(real_vfs, out);
}
static int v_last_error(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return real_vfs->xGetLastError ? real_vfs->xGetLastError(real_vfs, n, out) : 0;
}
static int v_current_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
	(void)v;
	return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

static int registered = SQLITE_ERROR;

static void register_once(void)
{
	real_vfs = sqlite3_vfs_find(NULL);
	if (!real_vfs || real_vfs->iVersion < 2 || !real_vfs->xCurrentTimeInt64)
		return;
	wal_methods = (sqlite3_io_methods){
	    .iVersion = 1,
	    .xClose = w_close,
	    .xRead = w_read,
	    .xWrite = w_write,
	    .xTruncate = w_truncate,
	    .xSync = w_sync,
	    .xFileSize = w_file_size,
	    .xLock = w_lock,
	    .xUnlock = w_unlock,
	    .xCheckReservedLock = w_check_reserved,
	    .xFileControl = w_file_control,
	    .xSectorSize = w_sector_size,
	    .xDeviceCharacteristics = w_device,
	};
	int size = real_vfs->szOsFile;
	if ((size_t)size < REAL_OFFSET + (size_t)real_vfs->szOsFile)
		size = (int)(REAL_OFFSET + (size_t)real_vfs->szOsFile);
	cw_vfs = (sqlite3_vfs){
	    .iVersion = 2,
	    .szOsFile = size,
	    .mxPathname = real_vfs->mxPathname,
	    .zName = CW_SQLITE_VFS,
	    .xOpen = v_open,
	    .xDelete = v_delete,
	    .xAccess = v_access,
	    .xFullPathname = v_full_pathname,
	    .xDlOpen = v_dlopen,
	    .xDlError = v_dlerror,
	    .xDlSym = v_dlsym,
	    .xDlClose = v_dlclose,
	    .xRandomness = v_randomness,
	    .xSleep = v_sleep,
	    .xCurrentTime = v_current_time,
	    .xGetLastError = v_last_error,
	    .xCurrentTimeInt64 = v_current_time64,
	};
	registered = sqlite3_vfs_register(&cw_vfs, 0);
}

const char *cw_sqlite_vfs(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, register_once);
	return registered == SQLITE_OK ? CW_SQLITE_VFS : NULL;
}
