/* image.c - photo type detection, structure checks and metadata stripping; see image.h.
 * Every length read from the input is checked against what is left before it is used. */
#include "core/image.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

/* Reflected CRC-32, polynomial 0xEDB88320, four bits at a time. */
static const uint32_t crc_nibble[16] = {
    0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC, 0x76DC4190, 0x6B6B51F4,
    0x4DB26158, 0x5005713C, 0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C,
    0x9B64C2B0, 0x86D3D2D4, 0xA00AE278, 0xBDBDF21C,
};

uint32_t cw_crc32(uint32_t crc, const void *data, size_t n)
{
	const uint8_t *p = data;
	crc = ~crc;
	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		crc = (crc >> 4) ^ crc_nibble[crc & 15];
		crc = (crc >> 4) ^ crc_nibble[crc & 15];
	}
	return ~crc;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint32_t le24(const uint8_t *p)
{
	return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static bool has_prefix(const uint8_t *p, size_t n, const char *pre, size_t plen)
{
	return n >= plen && memcmp(p, pre, plen) == 0;
}

enum cw_image_type cw_image_detect(const void *data, size_t len)
{
	const uint8_t *d = data;
	if (!d)
		return CW_IMAGE_NONE;
	if (len >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
		return CW_IMAGE_JPEG;
	if (len >= 8 && memcmp(d, png_sig, 8) == 0)
		return CW_IMAGE_PNG;
	if (len >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0)
		return CW_IMAGE_WEBP;
	return CW_IMAGE_NONE;
}

const char *cw_image_mime(enum cw_image_type t)
{
	switch (t) {
	case CW_IMAGE_JPEG:
		return "image/jpeg";
	case CW_IMAGE_PNG:
		return "image/png";
	case CW_IMAGE_WEBP:
		return "image/webp";
	default:
		return NULL;
	}
}

enum cw_image_type cw_image_type_of_mime(const char *ct)
{
	if (!ct)
		return CW_IMAGE_NONE;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	size_t n = strcspn(ct, "; \t");
	static const struct {
		const char *name;
		enum cw_image_type t;
	} names[] = {
	    {"image/jpeg", CW_IMAGE_JPEG},
	    {"image/jpg", CW_IMAGE_JPEG},
	    {"image/png", CW_IMAGE_PNG},
	    {"image/webp", CW_IMAGE_WEBP},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strlen(names[i].name) == n && strncasecmp(ct, names[i].name, n) == 0)
			return names[i].t;
	return CW_IMAGE_NONE;
}

/* ---- JPEG (ITU T.81) ---- */

static bool jpeg_is_sof(uint8_t m)
{
	return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

/* APPn segments that decoding needs; the others carry metadata. */
static bool jpeg_keep_app(uint8_t m, const uint8_t *p, size_t n)
{
	if (m == 0xE0)
		return has_prefix(p, n, "JFIF\0", 5);
	if (m == 0xE2)
		return has_prefix(p, n, "ICC_PROFILE\0", 12);
	if (m == 0xEE)
		return has_prefix(p, n, "Adobe", 5);
	return false;
}

static enum cw_image_rc jpeg_strip(const uint8_t *d, size_t n, uint8_t *o, size_t *olen,
				   struct cw_image_info *info)
{
	size_t i = 2, w = 0;
	bool sof = false, sos = false;
	o[w++] = 0xFF;
	o[w++] = 0xD8;
	for (;;) {
		if (i >= n || d[i] != 0xFF)
			return CW_IMAGE_CORRUPT;
		while (i < n && d[i] == 0xFF) /* fill bytes */
			i++;
		if (i >= n)
			return CW_IMAGE_CORRUPT;
		uint8_t m = d[i++];
		if (m == 0xD9) { /* EOI: the end; anything after it is dropped */
			if (!sos)
				return CW_IMAGE_CORRUPT;
			o[w++] = 0xFF;
			o[w++] = 0xD9;
			break;
		}
		if (m == 0x01) { /* TEM: no length */
			o[w++] = 0xFF;
			o[w++] = m;
			continue;
		}
		/* 00 (stuffing), a second SOI, RSTn outside a scan, reserved 02-BF. */
		if (m <= 0xBF || m == 0xD8 || (m >= 0xD0 && m <= 0xD7))
			return CW_IMAGE_CORRUPT;
		if (n - i < 2)
			return CW_IMAGE_CORRUPT;
		size_t seg = (size_t)d[i] << 8 | d[i + 1];
		if (seg < 2 || seg > n - i)
			return CW_IMAGE_CORRUPT;
		const uint8_t *p = d + i + 2;
		size_t pl = seg - 2;
		bool keep = true;
		if (m >= 0xE0 && m <= 0xEF) {
			keep = jpeg_keep_app(m, p, pl);
		} else if (m == 0xFE) {
			keep = false;
		} else if (jpeg_is_sof(m)) {
			if (pl < 6 || p[5] == 0 || pl != 6 + 3 * (size_t)p[5])
				return CW_IMAGE_CORRUPT;
			uint32_t hgt = (uint32_t)p[1] << 8 | p[2], wid = (uint32_t)p[3] << 8 | p[4];
			if (wid == 0)
				return CW_IMAGE_CORRUPT;
			if (!sof && info) {
				info->width = wid;
				info->height = hgt;
			}
			sof = true;
		} else if (m == 0xDA) {
			if (!sof || pl < 1 || p[0] < 1 || p[0] > 4 || pl != 4 + 2 * (size_t)p[0])
				return CW_IMAGE_CORRUPT;
			sos = true;
		}
		if (keep) {
			o[w++] = 0xFF;
			o[w++] = m;
			memcpy(o + w, d + i, seg);
			w += seg;
		}
		i += seg;
		if (m != 0xDA)
			continue;
		/* Entropy-coded data: runs until an FF that is not stuffing (FF 00), a restart
		 * marker (FF D0-D7) or a fill byte before a marker (FF FF). */
		size_t start = i;
		for (;;) {
			if (i >= n)
				return CW_IMAGE_CORRUPT;
			if (d[i] != 0xFF) {
				i++;
				continue;
			}
			if (i + 1 >= n)
				return CW_IMAGE_CORRUPT;
			uint8_t x = d[i + 1];
			if (x == 0x00 || (x >= 0xD0 && x <= 0xD7))
				i += 2;
			else if (x == 0xFF)
				i++;
			else
				break;
		}
		memcpy(o + w, d + start, i - start);
		w += i - start;
	}
	*olen = w;
	return CW_IMAGE_OK;
}

/* ---- PNG (ISO/IEC 15948, PNG third edition) ---- */

static bool png_keep(const uint8_t *t)
{
	static const char keep[][5] = {"IHDR", "PLTE", "IDAT", "IEND", "tRNS", "cHRM", "gAMA",
				       "iCCP", "sBIT", "sRGB", "cICP", "mDCV", "cLLI", "bKGD",
				       "hIST", "pHYs", "sPLT", "acTL", "fcTL", "fdAT"};
	for (size_t k = 0; k < sizeof keep / sizeof keep[0]; k++)
		if (memcmp(t, keep[k], 4) == 0)
			return true;
	return false;
}

static bool png_ihdr_ok(const uint8_t *p)
{
	uint32_t w = be32(p), h = be32(p + 4);
	uint8_t depth = p[8], color = p[9];
	if (w == 0 || h == 0 || w > 0x7fffffffu || h > 0x7fffffffu)
		return false;
	if (p[10] != 0 || p[11] != 0 || p[12] > 1) /* compression, filter, interlace */
		return false;
	switch (color) {
	case 0:
		return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
	case 3:
		return depth == 1 || depth == 2 || depth == 4 || depth == 8;
	case 2:
	case 4:
	case 6:
		return depth == 8 || depth == 16;
	default:
		return false;
	}
}

static bool is_letter(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static enum cw_image_rc png_strip(const uint8_t *d, size_t n, uint8_t *o, size_t *olen,
				  struct cw_image_info *info)
{
	size_t i = 8, w = 8;
	bool first = true, idat = false;
	memcpy(o, png_sig, 8);
	for (;;) {
		if (n - i < 12)
			return CW_IMAGE_CORRUPT;
		uint32_t len = be32(d + i);
		if (len > 0x7fffffffu || len > n - i - 12)
			return CW_IMAGE_CORRUPT;
		const uint8_t *t = d + i + 4;
		for (int k = 0; k < 4; k++)
			if (!is_letter(t[k]))
				return CW_IMAGE_CORRUPT;
		if (cw_crc32(0, t, 4 + (size_t)len) != be32(t + 4 + len))
			return CW_IMAGE_CORRUPT;
		bool ihdr = memcmp(t, "IHDR", 4) == 0;
		if (first != ihdr)
			return CW_IMAGE_CORRUPT; /* IHDR first, and only there */
		if (ihdr) {
			if (len != 13 || !png_ihdr_ok(t + 4))
				return CW_IMAGE_CORRUPT;
			if (info) {
				info->width = be32(t + 4);
				info->height = be32(t + 8);
			}
			first = false;
		}
		if (memcmp(t, "IDAT", 4) == 0)
			idat = true;
		bool known = png_keep(t);
		if (!known && !(t[0] & 0x20)) /* an unknown critical chunk */
			return CW_IMAGE_CORRUPT;
		size_t whole = 12 + (size_t)len;
		if (known) {
			memcpy(o + w, d + i, whole);
			w += whole;
		}
		i += whole;
		if (memcmp(t, "IEND", 4) == 0) {
			if (len != 0 || !idat)
				return CW_IMAGE_CORRUPT;
			break;
		}
	}
	*olen = w;
	return CW_IMAGE_OK;
}

/* ---- WebP (RFC 9649) ---- */

#define VP8X_FLAG_EXIF 0x08
#define VP8X_FLAG_XMP 0x04

static enum cw_image_rc webp_strip(const uint8_t *d, size_t n, uint8_t *o, size_t *olen,
				   struct cw_image_info *info)
{
	uint32_t riff = le32(d + 4);
	if (riff < 4 || riff > n - 8)
		return CW_IMAGE_CORRUPT;
	size_t end = 8 + (size_t)riff, i = 12, w = 12, flags_at = 0;
	bool extended = false, image = false;
	uint32_t wid = 0, hgt = 0;
	memcpy(o, d, 12);
	for (int idx = 0; i < end; idx++) {
		if (end - i < 8)
			return CW_IMAGE_CORRUPT;
		const uint8_t *cc = d + i;
		uint32_t size = le32(d + i + 4);
		if ((size_t)size + (size & 1u) > end - i - 8)
			return CW_IMAGE_CORRUPT;
		size_t whole = 8 + (size_t)size + (size & 1u);
		const uint8_t *p = d + i + 8;
		bool keep = true;
		bool vp8 = memcmp(cc, "VP8 ", 4) == 0, vp8l = memcmp(cc, "VP8L", 4) == 0;
		if (idx == 0 && !vp8 && !vp8l && memcmp(cc, "VP8X", 4) != 0)
			return CW_IMAGE_CORRUPT;
		if (memcmp(cc, "VP8X", 4) == 0) {
			if (idx != 0 || size != 10)
				return CW_IMAGE_CORRUPT;
			extended = true;
			flags_at = w + 8;
			wid = 1 + le24(p + 4);
			hgt = 1 + le24(p + 7);
		} else if (vp8) {
			/* A key frame: frame tag bit 0 clear, start code 9D 01 2A, 14-bit sizes. */
			if (size < 10 || (p[0] & 1) || p[3] != 0x9D || p[4] != 0x01 || p[5] != 0x2A)
				return CW_IMAGE_CORRUPT;
			uint32_t fw = ((uint32_t)p[6] | (uint32_t)p[7] << 8) & 0x3fff;
			uint32_t fh = ((uint32_t)p[8] | (uint32_t)p[9] << 8) & 0x3fff;
			if (fw == 0 || fh == 0)
				return CW_IMAGE_CORRUPT;
			if (!image && !extended)
				wid = fw, hgt = fh;
			image = true;
		} else if (vp8l) {
			if (size < 5 || p[0] != 0x2f)
				return CW_IMAGE_CORRUPT;
			uint32_t bits = le32(p + 1);
			if (bits >> 29) /* version 0 only */
				return CW_IMAGE_CORRUPT;
			if (!image && !extended)
				wid = (bits & 0x3fff) + 1, hgt = ((bits >> 14) & 0x3fff) + 1;
			image = true;
		} else if (memcmp(cc, "ANMF", 4) == 0) {
			if (!extended || size < 16)
				return CW_IMAGE_CORRUPT;
			image = true;
		} else {
			keep = memcmp(cc, "ALPH", 4) == 0 || memcmp(cc, "ICCP", 4) == 0 ||
			       memcmp(cc, "ANIM", 4) == 0;
		}
		if (keep) {
			memcpy(o + w, d + i, whole);
			w += whole;
		}
		i += whole;
	}
	if (!image)
		return CW_IMAGE_CORRUPT;
	if (extended)
		o[flags_at] &= (uint8_t)~(VP8X_FLAG_EXIF | VP8X_FLAG_XMP);
	uint32_t size = (uint32_t)(w - 8);
	o[4] = (uint8_t)size;
	o[5] = (uint8_t)(size >> 8);
	o[6] = (uint8_t)(size >> 16);
	o[7] = (uint8_t)(size >> 24);
	if (info) {
		info->width = wid;
		info->height = hgt;
	}
	*olen = w;
	return CW_IMAGE_OK;
}

enum cw_image_rc cw_image_strip(const void *data, size_t len, void *out, size_t *out_len,
				struct cw_image_info *info)
{
	struct cw_image_info tmp = {0};
	enum cw_image_type t = cw_image_detect(data, len);
	enum cw_image_rc rc;
	*out_len = 0;
	if (info)
		*info = tmp;
	switch (t) {
	case CW_IMAGE_JPEG:
		rc = jpeg_strip(data, len, out, out_len, &tmp);
		break;
	case CW_IMAGE_PNG:
		rc = png_strip(data, len, out, out_len, &tmp);
		break;
	case CW_IMAGE_WEBP:
		rc = webp_strip(data, len, out, out_len, &tmp);
		break;
	default:
		return CW_IMAGE_UNKNOWN;
	}
	if (rc != CW_IMAGE_OK) {
		*out_len = 0;
		return rc;
	}
	tmp.type = t;
	tmp.dropped = len - *out_len;
	if (info)
		*info = tmp;
	return CW_IMAGE_OK;
}
