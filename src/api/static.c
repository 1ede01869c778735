/* static.c - the console's static files (web/), for paths no API route matched. */
#include "api/api.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/arena.h"

static const struct {
	const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
    {".json", "application/json"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
    {".ico", "image/x-icon"}, {".woff2", "font/woff2"},
};

static const char *type_of(const char *path)
{
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return NULL;
}

bool cw_api_static(struct cw_req *req)
{
	struct cw_api *api = cw_api_of(req);
	const char *p = req->path;
	if (!api->web_dir || strncmp(p, "/api/", 5) == 0 || strstr(p, "..") || strchr(p, '\\'))
		return false;
	const char *rel = strcmp(p, "/") == 0 ? "/index.html" : p;
	const char *type = type_of(rel);
	if (!type)
		return false;
	char *full = cw_arena_printf(req->arena, "%s%s", api->web_dir, rel);
	int fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > 8 * 1024 * 1024) {
		close(fd);
		return false;
	}
	char *data = cw_arena_alloc(req->arena, (size_t)st.st_size + 1);
	ssize_t got = read(fd, data, (size_t)st.st_size);
	close(fd);
	if (got != st.st_size)
		return false;
	cw_reply_header(req, "Content-Security-Policy",
			"default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
			"script-src 'self'; object-src 'none'; frame-ancestors 'none'");
	cw_reply_text(req, 200, type, data, (size_t)got);
	return true;
}
