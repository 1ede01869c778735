/* test_core_image.c - unit tests of core/image: type detection, structure checks and
 * metadata stripping for JPEG, PNG and WebP, on small images built here byte by byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/image.h"

/* ---- a growable byte buffer for building test files ---- */

struct bytes {
	uint8_t d[4096];
	size_t n;
};

static void put(struct bytes *b, const void *p, size_t n)
{
	assert_true(b->n + n <= sizeof b->d);
	memcpy(b->d + b->n, p, n);
	b->n += n;
}

static void put_str(struct bytes *b, const char *s)
{
	put(b, s, strlen(s));
}

static void put8(struct bytes *b, unsigned v)
{
	uint8_t c = (uint8_t)v;
	put(b, &c, 1);
}

static void put_be16(struct bytes *b, unsigned v)
{
	put8(b, v >> 8);
	put8(b, v);
}

static void put_be32(struct bytes *b, uint32_t v)
{
	put_be16(b, v >> 16);
	put_be16(b, v & 0xffff);
}

static void put_le32(struct bytes *b, uint32_t v)
{
	put8(b, v);
	put8(b, v >> 8);
	put8(b, v >> 16);
	put8(b, v >> 24);
}

static bool contains(const uint8_t *h, size_t hn, const char *needle)
{
	size_t nn = strlen(needle);
	for (size_t i = 0; i + nn <= hn; i++)
		if (memcmp(h + i, needle, nn) == 0)
			return true;
	return false;
}

/* Strips b, checks the result is accepted again and strips to itself. */
static enum cw_image_rc strip(const struct bytes *b, struct bytes *out, struct cw_image_info *info)
{
	enum cw_image_rc rc = cw_image_strip(b->d, b->n, out->d, &out->n, info);
	if (rc != CW_IMAGE_OK)
		return rc;
	assert_true(out->n <= b->n);
	struct bytes again;
	struct cw_image_info i2;
	assert_int_equal(cw_image_strip(out->d, out->n, again.d, &again.n, &i2), CW_IMAGE_OK);
	assert_int_equal(again.n, out->n);
	assert_memory_equal(again.d, out->d, out->n);
	assert_int_equal(i2.dropped, 0);
	return rc;
}

/* Every proper prefix of b is refused. */
static void prefixes_refused(const struct bytes *b)
{
	struct bytes out;
	for (size_t n = 0; n < b->n; n++) {
		enum cw_image_rc rc = cw_image_strip(b->d, n, out.d, &out.n, NULL);
		if (rc == CW_IMAGE_OK)
			fail_msg("a prefix of %zu of %zu bytes was accepted", n, b->n);
	}
}

/* ---- JPEG: a real 8x8 grey baseline image ---- */

/* APP1 Exif with a TIFF header, IFD0 pointing at a GPS IFD with latitude. */
static void jpeg_app1_exif(struct bytes *b)
{
	struct bytes e = {0};
	put(&e, "Exif\0\0", 6);
	put(&e, "MM\0*", 4);
	put_be32(&e, 8);	   /* IFD0 at 8 */
	put_be16(&e, 1);	   /* one entry */
	put_be16(&e, 0x8825);	   /* GPSInfo */
	put_be16(&e, 4);	   /* LONG */
	put_be32(&e, 1);
	put_be32(&e, 26);	   /* GPS IFD at 26 */
	put_be32(&e, 0);	   /* no next IFD */
	put_be16(&e, 2);	   /* GPS IFD: two entries */
	put_be16(&e, 1);	   /* GPSLatitudeRef */
	put_be16(&e, 2);	   /* ASCII */
	put_be32(&e, 2);
	put(&e, "N\0\0\0", 4);
	put_be16(&e, 2);	   /* GPSLatitude */
	put_be16(&e, 5);	   /* RATIONAL */
	put_be32(&e, 3);
	put_be32(&e, 56);	   /* values at 56 */
	put_be32(&e, 0);
	put_be32(&e, 33), put_be32(&e, 1), put_be32(&e, 57), put_be32(&e, 1);
	put_be32(&e, 1234), put_be32(&e, 100);
	put_be16(b, 0xFFE1);
	put_be16(b, (unsigned)e.n + 2);
	put(b, e.d, e.n);
}

static void jpeg_segment(struct bytes *b, unsigned marker, const void *p, size_t n)
{
	put_be16(b, 0xFF00 | marker);
	put_be16(b, (unsigned)n + 2);
	put(b, p, n);
}

/* SOI, APP0 JFIF, [metadata], DQT, SOF0 8x8 grey, DHT DC and AC, SOS, data, EOI. */
static void jpeg_build(struct bytes *b, bool metadata)
{
	b->n = 0;
	put_be16(b, 0xFFD8);
	jpeg_segment(b, 0xE0, "JFIF\0\x01\x01\0\0\x01\0\x01\0\0", 14);
	if (metadata) {
		jpeg_app1_exif(b);
		jpeg_segment(b, 0xE1, "http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>", 41);
		jpeg_segment(b, 0xED, "Photoshop 3.0\0", 14);
		jpeg_segment(b, 0xFE, "taken at home", 13);
		jpeg_segment(b, 0xE2, "MPF\0MM\0*", 8);
	}
	uint8_t dqt[65] = {0};
	memset(dqt + 1, 1, 64);
	jpeg_segment(b, 0xDB, dqt, sizeof dqt);
	jpeg_segment(b, 0xC0, "\x08\0\x08\0\x08\x01\x01\x11\0", 9);
	uint8_t dht[18] = {0x00, 1}; /* class 0 id 0: one code of length 1, symbol 0 */
	jpeg_segment(b, 0xC4, dht, sizeof dht);
	dht[0] = 0x10; /* AC table 0: EOB */
	jpeg_segment(b, 0xC4, dht, sizeof dht);
	jpeg_segment(b, 0xDA, "\x01\x01\x00\x00\x3f\x00", 6);
	put8(b, 0x3F); /* DC diff 0, EOB, padded with ones */
	put_be16(b, 0xFFD9);
}

static void test_crc_and_detect(void **state)
{
	(void)state;
	assert_int_equal(cw_crc32(0, "123456789", 9), 0xCBF43926u);
	assert_int_equal(cw_crc32(0, "", 0), 0);
	struct bytes j;
	jpeg_build(&j, false);
	assert_int_equal(cw_image_detect(j.d, j.n), CW_IMAGE_JPEG);
	assert_int_equal(cw_image_detect("\x89PNG\r\n\x1a\n", 8), CW_IMAGE_PNG);
	assert_int_equal(cw_image_detect("RIFF\0\0\0\0WEBP", 12), CW_IMAGE_WEBP);
	assert_int_equal(cw_image_detect("RIFF\0\0\0\0WAVE", 12), CW_IMAGE_NONE);
	assert_int_equal(cw_image_detect("hello, world", 12), CW_IMAGE_NONE);
	assert_int_equal(cw_image_detect(NULL, 0), CW_IMAGE_NONE);
	assert_int_equal(cw_image_type_of_mime("image/jpeg"), CW_IMAGE_JPEG);
	assert_int_equal(cw_image_type_of_mime("Image/PNG; charset=x"), CW_IMAGE_PNG);
	assert_int_equal(cw_image_type_of_mime(" image/webp"), CW_IMAGE_WEBP);
	assert_int_equal(cw_image_type_of_mime("image/gif"), CW_IMAGE_NONE);
	assert_int_equal(cw_image_type_of_mime("image/jpegx"), CW_IMAGE_NONE);
	assert_int_equal(cw_image_type_of_mime(NULL), CW_IMAGE_NONE);
	assert_string_equal(cw_image_mime(CW_IMAGE_WEBP), "image/webp");
	assert_null(cw_image_mime(CW_IMAGE_NONE));
}

static void test_jpeg_strip(void **state)
{
	(void)state;
	struct bytes with, without, out;
	struct cw_image_info info;
	jpeg_build(&with, true);
	jpeg_build(&without, false);
	assert_true(contains(with.d, with.n, "Exif"));
	assert_int_equal(strip(&with, &out, &info), CW_IMAGE_OK);
	assert_int_equal(info.type, CW_IMAGE_JPEG);
	assert_int_equal(info.width, 8);
	assert_int_equal(info.height, 8);
	assert_int_equal(info.dropped, with.n - without.n);
	assert_false(contains(out.d, out.n, "Exif"));
	assert_false(contains(out.d, out.n, "xmpmeta"));
	assert_false(contains(out.d, out.n, "Photoshop"));
	assert_false(contains(out.d, out.n, "home"));
	assert_false(contains(out.d, out.n, "MPF"));
	/* Everything else byte for byte. */
	assert_int_equal(out.n, without.n);
	assert_memory_equal(out.d, without.d, out.n);

	/* A clean file comes out as it went in. */
	assert_int_equal(strip(&without, &out, &info), CW_IMAGE_OK);
	assert_int_equal(info.dropped, 0);
	assert_memory_equal(out.d, without.d, without.n);

	/* An ICC profile and the Adobe segment stay. */
	struct bytes icc = {0};
	put(&icc, with.d, 2);
	jpeg_segment(&icc, 0xE2, "ICC_PROFILE\0\x01\x01", 14);
	jpeg_segment(&icc, 0xEE, "Adobe\0d\0\0\0\0\x01", 12);
	put(&icc, without.d + 2, without.n - 2);
	assert_int_equal(strip(&icc, &out, NULL), CW_IMAGE_OK);
	assert_int_equal(out.n, icc.n);

	/* What follows EOI (a camera's preview image with its own Exif) goes. */
	struct bytes tail = without;
	jpeg_build(&with, true);
	put(&tail, with.d, with.n);
	assert_int_equal(strip(&tail, &out, NULL), CW_IMAGE_OK);
	assert_int_equal(out.n, without.n);
	assert_false(contains(out.d, out.n, "Exif"));
}

static void test_jpeg_refused(void **state)
{
	(void)state;
	struct bytes b, out;
	jpeg_build(&b, true);
	prefixes_refused(&b);

	/* Only the start of a JPEG. */
	struct bytes fake = {0};
	put(&fake, "\xFF\xD8\xFF\xE0", 4);
	put_str(&fake, "this is not an image at all");
	assert_int_equal(cw_image_strip(fake.d, fake.n, out.d, &out.n, NULL), CW_IMAGE_CORRUPT);
	/* SOI EOI: no frame. */
	assert_int_equal(cw_image_strip("\xFF\xD8\xFF\xD9", 4, out.d, &out.n, NULL),
			 CW_IMAGE_CORRUPT);
	/* Text is not an image. */
	assert_int_equal(cw_image_strip("GPS 33.9N", 9, out.d, &out.n, NULL), CW_IMAGE_UNKNOWN);
	assert_int_equal(out.n, 0);

	/* A segment length past the end, and one below 2. */
	jpeg_build(&b, false);
	struct bytes bad = b;
	bad.d[4] = 0xFF; /* APP0 length high byte */
	assert_int_equal(cw_image_strip(bad.d, bad.n, out.d, &out.n, NULL), CW_IMAGE_CORRUPT);
	bad = b;
	bad.d[4] = 0, bad.d[5] = 1;
	assert_int_equal(cw_image_strip(bad.d, bad.n, out.d, &out.n, NULL), CW_IMAGE_CORRUPT);
	/* Garbage between segments. */
	bad = b;
	bad.d[2 + 2 + 16] = 0x12; /* where the DQT marker's FF is */
	assert_int_equal(cw_image_strip(bad.d, bad.n, out.d, &out.n, NULL), CW_IMAGE_CORRUPT);
}

/* ---- PNG: a 1x1 grey image ---- */

static void png_chunk(struct bytes *b, const char *type, const void *p, size_t n)
{
	put_be32(b, (uint32_t)n);
	size_t at = b->n;
	put(b, type, 4);
	if (n)
		put(b, p, n);
	put_be32(b, cw_crc32(0, b->d + at, 4 + n));
}

static const uint8_t ihdr_1x1[13] = {0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0};
/* zlib: a stored block holding the filter byte 0 and the pixel 0x80. */
static const uint8_t idat_1x1[] = {0x78, 0x01, 0x01, 0x02, 0x00, 0xFD, 0xFF,
				   0x00, 0x80, 0x00, 0x82, 0x00, 0x81};

static void png_build(struct bytes *b, bool metadata)
{
	b->n = 0;
	put(b, "\x89PNG\r\n\x1a\n", 8);
	png_chunk(b, "IHDR", ihdr_1x1, 13);
	if (metadata) {
		png_chunk(b, "tEXt", "Comment\0GPS 33.95N 116.79E", 26);
		png_chunk(b, "eXIf", "MM\0*\0\0\0\x08\0\0", 10);
		png_chunk(b, "tIME", "\x07\xea\x0b\x1b\x0c\0\0", 7);
		png_chunk(b, "zTXt", "Raw profile type exif\0\0x", 24);
		png_chunk(b, "iTXt", "XML:com.adobe.xmp\0\0\0\0\0<x/>", 26);
		png_chunk(b, "caBX", "c2pa manifest", 13);
	}
	png_chunk(b, "gAMA", "\0\0\xb1\x8f", 4);
	png_chunk(b, "IDAT", idat_1x1, sizeof idat_1x1);
	if (metadata)
		png_chunk(b, "tEXt", "Author\0someone", 14);
	png_chunk(b, "IEND", NULL, 0);
}

static void test_png_strip(void **state)
{
	(void)state;
	struct bytes with, without, out;
	struct cw_image_info info;
	png_build(&with, true);
	png_build(&without, false);
	assert_int_equal(strip(&with, &out, &info), CW_IMAGE_OK);
	assert_int_equal(info.type, CW_IMAGE_PNG);
	assert_int_equal(info.width, 1);
	assert_int_equal(info.height, 1);
	assert_int_equal(out.n, without.n);
	assert_memory_equal(out.d, without.d, out.n);
	assert_false(contains(out.d, out.n, "GPS"));
	assert_false(contains(out.d, out.n, "eXIf"));
	assert_false(contains(out.d, out.n, "tIME"));
	assert_false(contains(out.d, out.n, "someone"));
	assert_false(contains(out.d, out.n, "c2pa"));

	/* Bytes after IEND are dropped. */
	struct bytes tail = without;
	put_str(&tail, "GPS trailer");
	assert_int_equal(strip(&tail, &out, NULL), CW_IMAGE_OK);
	assert_int_equal(out.n, without.n);
}

static void test_png_refused(void **state)
{
	(void)state;
	struct bytes b, out;
	png_build(&b, true);
	prefixes_refused(&b);

	png_build(&b, false);
	/* A flipped bit in the IDAT data: the CRC no longer holds. */
	struct bytes bad = b;
	bad.d[bad.n - 12 - 5] ^= 1;
	assert_int_equal(cw_image_strip(bad.d, bad.n, out.d, &out.n, NULL), CW_IMAGE_CORRUPT);

	/* IHDR not first. */
	bad.n = 0;
	put(&bad, "\x89PNG\r\n\x1a\n", 8);
	png_chunk(&bad, "gAMA", "\0\0\xb1\x8f", 4);
	png_chunk(&bad, "IHDR", ihdr_1x1, 13);
	png_chunk(&bad, "IDAT", idat_1x1, sizeof idat_1x1);
	png_chunk(&bad, "IEND", NULL, 0);
	assert_int_equal(cw_image_strip(bad.d, bad.n, out.d, &out.n, NULL), CW_IMAGE_CORRUPT);

	/* No IDAT; an unknown critical chunk; a second IHDR; a bad colour type. */
	const char *extra[] = {NULL, "ABCD", "IHDR"};
	for (int k = 0; k < 3; k++) {
		bad.n = 0;
		put(&bad, "\x89PNG\r\n\x1a\n", 8);
		png_chunk(&bad, "IHDR", ihdr_1x1, 13);
		if (extra[k]) {
			png_chunk(&bad, extra[k], ihdr_1x1, 13);
			png_chunk(&bad, "IDAT", idat_1x1, sizeof idat_1x1);
		}
		png_chunk(&bad, "IEND", NULL, 0);
		assert_int_equal(cw_image_strip(bad.d, bad.n, out.d, &out.n, NULL),
				 CW_IMAGE_CORRUPT);
	}
	uint8_t ihdr[13];
	memcpy(ihdr, ihdr_1x1, 13);
	ihdr[9] = 5;
	bad.n = 0;
	put(&bad, "\x89PNG\r\n\x1a\n", 8);
	png_chunk(&bad, "IHDR", ihdr, 13);
	png_chunk(&bad, "IDAT", idat_1x1, sizeof idat_1x1);
	png_chunk(&bad, "IEND", NULL, 0);
	assert_int_equal(cw_image_strip(bad.d, bad.n, out.d, &out.n, NULL), CW_IMAGE_CORRUPT);
}

/* ---- WebP ---- */

static void riff_chunk(struct bytes *b, const char *fourcc, const void *p, size_t n)
{
	put(b, fourcc, 4);
	put_le32(b, (uint32_t)n);
	put(b, p, n);
	if (n & 1)
		put8(b, 0);
}

/* A VP8 key frame header for width x height (the partitions are not decoded here). */
static const uint8_t vp8_frame[] = {0x50, 0x01, 0x00, 0x9D, 0x01, 0x2A, 0x03, 0x00,
				    0x02, 0x00, 0x00, 0x00, 0x00, 0x00};

static void webp_finish(struct bytes *b)
{
	uint32_t size = (uint32_t)(b->n - 8);
	b->d[4] = (uint8_t)size;
	b->d[5] = (uint8_t)(size >> 8);
	b->d[6] = (uint8_t)(size >> 16);
	b->d[7] = (uint8_t)(size >> 24);
}

static void webp_build(struct bytes *b, bool metadata)
{
	b->n = 0;
	put(b, "RIFF\0\0\0\0WEBP", 12);
	/* VP8X: flags, reserved, canvas 3x2 (stored minus one, 24-bit). */
	uint8_t vp8x[10] = {metadata ? 0x0C : 0x00, 0, 0, 0, 2, 0, 0, 1, 0, 0};
	riff_chunk(b, "VP8X", vp8x, sizeof vp8x);
	riff_chunk(b, "VP8 ", vp8_frame, sizeof vp8_frame);
	if (metadata) {
		riff_chunk(b, "EXIF", "MM\0*\0\0\0\x08GPS", 11); /* odd: padded */
		riff_chunk(b, "XMP ", "<x:xmpmeta/>", 12);
		riff_chunk(b, "ABCD", "unknown", 7);
	}
	webp_finish(b);
}

static void test_webp_strip(void **state)
{
	(void)state;
	struct bytes with, without, out;
	struct cw_image_info info;
	webp_build(&with, true);
	webp_build(&without, false);
	assert_int_equal(strip(&with, &out, &info), CW_IMAGE_OK);
	assert_int_equal(info.type, CW_IMAGE_WEBP);
	assert_int_equal(info.width, 3);
	assert_int_equal(info.height, 2);
	assert_int_equal(out.n, without.n);
	assert_memory_equal(out.d, without.d, out.n); /* flags cleared, RIFF size fixed */
	assert_false(contains(out.d, out.n, "EXIF"));
	assert_false(contains(out.d, out.n, "GPS"));
	assert_false(contains(out.d, out.n, "xmpmeta"));

	/* Simple lossy and lossless files report their frame's size. */
	struct bytes simple = {0};
	put(&simple, "RIFF\0\0\0\0WEBP", 12);
	riff_chunk(&simple, "VP8 ", vp8_frame, sizeof vp8_frame);
	webp_finish(&simple);
	assert_int_equal(strip(&simple, &out, &info), CW_IMAGE_OK);
	assert_int_equal(info.width, 3);
	assert_int_equal(info.height, 2);
	simple.n = 0;
	put(&simple, "RIFF\0\0\0\0WEBP", 12);
	/* VP8L: signature, width-1 = 4 and height-1 = 6 in 14-bit fields, version 0. */
	uint32_t bits = 4u | 6u << 14;
	uint8_t vp8l[6] = {0x2f, (uint8_t)bits, (uint8_t)(bits >> 8), (uint8_t)(bits >> 16),
			   (uint8_t)(bits >> 24), 0};
	riff_chunk(&simple, "VP8L", vp8l, sizeof vp8l);
	webp_finish(&simple);
	assert_int_equal(strip(&simple, &out, &info), CW_IMAGE_OK);
	assert_int_equal(info.width, 5);
	assert_int_equal(info.height, 7);
}

static void test_webp_refused(void **state)
{
	(void)state;
	struct bytes b, out;
	webp_build(&b, true);
	prefixes_refused(&b);
	/* A VP8X with no image. */
	b.n = 0;
	put(&b, "RIFF\0\0\0\0WEBP", 12);
	uint8_t vp8x[10] = {0};
	riff_chunk(&b, "VP8X", vp8x, sizeof vp8x);
	webp_finish(&b);
	assert_int_equal(cw_image_strip(b.d, b.n, out.d, &out.n, NULL), CW_IMAGE_CORRUPT);
	/* EXIF first; a chunk longer than the RIFF; a VP8 without its start code. */
	b.n = 0;
	put(&b, "RIFF\0\0\0\0WEBP", 12);
	riff_chunk(&b, "EXIF", "MM\0*", 4);
	riff_chunk(&b, "VP8 ", vp8_frame, sizeof vp8_frame);
	webp_finish(&b);
	assert_int_equal(cw_image_strip(b.d, b.n, out.d, &out.n, NULL), CW_IMAGE_CORRUPT);
	webp_build(&b, false);
	b.d[16] = 0xFF; /* VP8X size */
	assert_int_equal(cw_image_strip(b.d, b.n, out.d, &out.n, NULL), CW_IMAGE_CORRUPT);
	webp_build(&b, false);
	b.d[12 + 18 + 8 + 3] = 0;
	assert_int_equal(cw_image_strip(b.d, b.n, out.d, &out.n, NULL), CW_IMAGE_CORRUPT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_crc_and_detect), cmocka_unit_test(test_jpeg_strip),
	    cmocka_unit_test(test_jpeg_refused),   cmocka_unit_test(test_png_strip),
	    cmocka_unit_test(test_png_refused),	   cmocka_unit_test(test_webp_strip),
	    cmocka_unit_test(test_webp_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
