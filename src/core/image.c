/* image.c - photo type detection, structure checks and metadata stripping; see image.h.
 * Every length read from the input is checked against what is left before it is used. */
#include "core/image.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

/* Reflected CRC-32, polynomial 0xEDB88320, a byte at a time. */
static const uint32_t crc_table[256] = {
    0x00000000, 0x77073096, 0xEE0E612C, 0x990951BA, 0x076DC419, 0x706AF48F,
    0xE963A535, 0x9E6495A3, 0x0EDB8832, 0x79DCB8A4, 0xE0D5E91E, 0x97D2D988,
    0x09B64C2B, 0x7EB17CBD, 0xE7B82D07, 0x90BF1D91, 0x1DB71064, 0x6AB020F2,
    0xF3B97148, 0x84BE41DE, 0x1ADAD47D, 0x6DDDE4EB, 0xF4D4B551, 0x83D385C7,
    0x136C9856, 0x646BA8C0, 0xFD62F97A, 0x8A65C9EC, 0x14015C4F, 0x63066CD9,
    0xFA0F3D63, 0x8D080DF5, 0x3B6E20C8, 0x4C69105E, 0xD56041E4, 0xA2677172,
    0x3C03E4D1, 0x4B04D447, 0xD20D85FD, 0xA50AB56B, 0x35B5A8FA, 0x42B2986C,
    0xDBBBC9D6, 0xACBCF940, 0x32D86CE3, 0x45DF5C75, 0xDCD60DCF, 0xABD13D59,
    0x26D930AC, 0x51DE003A, 0xC8D75180, 0xBFD06116, 0x21B4F4B5, 0x56B3C423,
    0xCFBA9599, 0xB8BDA50F, 0x2802B89E, 0x5F058808, 0xC60CD9B2, 0xB10BE924,
    0x2F6F7C87, 0x58684C11, 0xC1611DAB, 0xB6662D3D, 0x76DC4190, 0x01DB7106,
    0x98D220BC, 0xEFD5102A, 0x71B18589, 0x06B6B51F, 0x9FBFE4A5, 0xE8B8D433,
    0x7807C9A2, 0x0F00F934, 0x9609A88E, 0xE10E9818, 0x7F6A0DBB, 0x086D3D2D,
    0x91646C97, 0xE6635C01, 0x6B6B51F4, 0x1C6C6162, 0x856530D8, 0xF262004E,
    0x6C0695ED, 0x1B01A57B, 0x8208F4C1, 0xF50FC457, 0x65B0D9C6, 0x12B7E950,
    0x8BBEB8EA, 0xFCB9887C, 0x62DD1DDF, 0x15DA2D49, 0x8CD37CF3, 0xFBD44C65,
    0x4DB26158, 0x3AB551CE, 0xA3BC0074, 0xD4BB30E2, 0x4ADFA541, 0x3DD895D7,
    0xA4D1C46D, 0xD3D6F4FB, 0x4369E96A, 0x346ED9FC, 0xAD678846, 0xDA60B8D0,
    0x44042D73, 0x33031DE5, 0xAA0A4C5F, 0xDD0D7CC9, 0x5005713C, 0x270241AA,
    0xBE0B1010, 0xC90C2086, 0x5768B525, 0x206F85B3, 0xB966D409, 0xCE61E49F,
    0x5EDEF90E, 0x29D9C998, 0xB0D09822, 0xC7D7A8B4, 0x59B33D17, 0x2EB40D81,
    0xB7BD5C3B, 0xC0BA6CAD, 0xEDB88320, 0x9ABFB3B6, 0x03B6E20C, 0x74B1D29A,
    0xEAD54739, 0x9DD277AF, 0x04DB2615, 0x73DC1683, 0xE3630B12, 0x94643B84,
    0x0D6D6A3E, 0x7A6A5AA8, 0xE40ECF0B, 0x9309FF9D, 0x0A00AE27, 0x7D079EB1,
    0xF00F9344, 0x8708A3D2, 0x1E01F268, 0x6906C2FE, 0xF762575D, 0x806567CB,
    0x196C3671, 0x6E6B06E7, 0xFED41B76, 0x89D32BE0, 0x10DA7A5A, 0x67DD4ACC,
    0xF9B9DF6F, 0x8EBEEFF9, 0x17B7BE43, 0x60B08ED5, 0xD6D6A3E8, 0xA1D1937E,
    0x38D8C2C4, 0x4FDFF252, 0xD1BB67F1, 0xA6BC5767, 0x3FB506DD, 0x48B2364B,
    0xD80D2BDA, 0xAF0A1B4C, 0x36034AF6, 0x41047A60, 0xDF60EFC3, 0xA867DF55,
    0x316E8EEF, 0x4669BE79, 0xCB61B38C, 0xBC66831A, 0x256FD2A0, 0x5268E236,
    0xCC0C7795, 0xBB0B4703, 0x220216B9, 0x5505262F, 0xC5BA3BBE, 0xB2BD0B28,
    0x2BB45A92, 0x5CB36A04, 0xC2D7FFA7, 0xB5D0CF31, 0x2CD99E8B, 0x5BDEAE1D,
    0x9B64C2B0, 0xEC63F226, 0x756AA39C, 0x026D930A, 0x9C0906A9, 0xEB0E363F,
    0x72076785, 0x05005713, 0x95BF4A82, 0xE2B87A14, 0x7BB12BAE, 0x0CB61B38,
    0x92D28E9B, 0xE5D5BE0D, 0x7CDCEFB7, 0x0BDBDF21, 0x86D3D2D4, 0xF1D4E242,
    0x68DDB3F8, 0x1FDA836E, 0x81BE16CD, 0xF6B9265B, 0x6FB077E1, 0x18B74777,
    0x88085AE6, 0xFF0F6A70, 0x66063BCA, 0x11010B5C, 0x8F659EFF, 0xF862AE69,
    0x616BFFD3, 0x166CCF45, 0xA00AE278, 0xD70DD2EE, 0x4E048354, 0x3903B3C2,
    0xA7672661, 0xD06016F7, 0x4969474D, 0x3E6E77DB, 0xAED16A4A, 0xD9D65ADC,
    0x40DF0B66, 0x37D83BF0, 0xA9BCAE53, 0xDEBB9EC5, 0x47B2CF7F, 0x30B5FFE9,
    0xBDBDF21C, 0xCABAC28A, 0x53B39330, 0x24B4A3A6, 0xBAD03605, 0xCDD70693,
    0x54DE5729, 0x23D967BF, 0xB3667A2E, 0xC4614AB8, 0x5D681B02, 0x2A6F2B94,
    0xB40BBE37, 0xC30C8EA1, 0x5A05DF1B, 0x2D02EF8D,
};

uint32_t cw_crc32(uint32_t crc, const void *data, size_t n)
{
	const uint8_t *p = data;
	crc = ~crc;
	for (size_t i = 0; i < n; i++)
		crc = (crc >> 8) ^ crc_table[(crc ^ p[i]) & 0xFF];
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
				const void *ff = memchr(d + i, 0xFF, n - i);
				if (!ff)
					return CW_IMAGE_CORRUPT;
				i = (size_t)((const uint8_t *)ff - d);
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
