/* static.c - the console's static files (build/web: web/ and vendor/), for paths no API
 * route matched. A path ending in "/" serves that folder's index.html ("/" the console,
 * "/m/" the citizen portal); "/m" redirects to "/m/". */
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
    {".jpg", "image/jpeg"}, {".webp", "image/webp"}, {".ico", "image/x-icon"},
    {".woff2", "font/woff2"}, {".webmanifest", "application/manifest+json"},
};

static const char *type_of(const char *path)
{
	const char *dot = strrchr(path, '.');
	const char *slash = strrchr(path, '/');
	if (dot && slash && dot < slash)
		return NULL;
	for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return NULL;
}

/* Scripts and styles only from this origin, no inline script or style: the console
 * builds its DOM with createElement and sets styles through the CSSOM. Map tiles may
 * come from any https server (the tile URL is a setting). */
static const char csp[] = "default-src 'self'; script-src 'self'; style-src 'self'; "
			  "img-src 'self' data: blob: https:; connect-src 'self'; "
			  "font-src 'self'; object-src 'none'; base-uri 'none'; "
			  "form-action 'self'; frame-ancestors 'none'";

bool cw_api_static(struct cw_req *req)
{
	struct cw_api *api = cw_api_of(req);
	const char *p = req->path;
	if (!api->web_dir || p[0] != '/' || strncmp(p, "/api/", 5) == 0 || strstr(p, "..") ||
	    strchr(p, '\\') || strstr(p, "//"))
		return false;
	if (strcmp(p, "/m") == 0) {
		cw_reply_header(req, "Location", "/m/");
		cw_reply_text(req, 301, "text/plain; charset=utf-8", "/m/\n", 4);
		return true;
	}
	size_t plen = strlen(p);
	const char *rel = p[plen - 1] == '/' ? cw_arena_printf(req->arena, "%sindex.html", p) : p;
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
	cw_reply_header(req, "Content-Security-Policy", csp);
	cw_reply_header(req, "X-Content-Type-Options", "nosniff");
	cw_reply_header(req, "Referrer-Policy", "same-origin");
	/* Revalidated on every load, so that a new build is seen at once. */
	cw_reply_header(req, "Cache-Control", "no-cache");
	cw_reply_text(req, 200, type, data, (size_t)got);
	return true;
}
