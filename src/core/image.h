/* image.h - photo checks for case attachments: the type from the bytes, the container's
 * structure, and metadata stripped (GPS and camera data in EXIF, XMP, IPTC, text chunks).
 *
 * Pure: no I/O and no allocation; the caller gives the output buffer. Only JPEG, PNG and
 * WebP are taken. What is kept and dropped:
 *   JPEG: kept SOI, APP0 "JFIF", APP2 "ICC_PROFILE", APP14 "Adobe", every non-APP
 *         segment (DQT, DHT, SOFn, DRI, SOS, …) and the entropy-coded data up to EOI;
 *         dropped every other APPn (APP1 Exif and XMP, APP2 MPF, APP13 IPTC, …), COM,
 *         fill bytes between segments and anything after EOI (e.g. a preview image).
 *   PNG:  every chunk's length and CRC checked, IHDR first, IEND last, one IDAT at
 *         least, no unknown critical chunk; kept the chunks that decoding uses (IHDR,
 *         PLTE, IDAT, IEND, tRNS, cHRM, gAMA, iCCP, sBIT, sRGB, cICP, mDCV, cLLI, bKGD,
 *         hIST, pHYs, sPLT, acTL, fcTL, fdAT); dropped the rest (eXIf, tEXt, zTXt, iTXt,
 *         tIME and unknown ancillary chunks) and anything after IEND.
 *   WebP: RIFF/WEBP with a simple (VP8, VP8L) or extended (VP8X) layout; kept VP8X,
 *         ICCP, ANIM, ANMF, ALPH, VP8, VP8L; dropped EXIF, XMP and unknown chunks, the
 *         EXIF and XMP flags of VP8X cleared, the RIFF size rewritten, bytes after the
 *         RIFF dropped.
 * Stripping is idempotent: the output is accepted again and strips to itself. The EXIF
 * orientation goes with the rest: clients should rotate pixels before upload. */
#ifndef CW_CORE_IMAGE_H
#define CW_CORE_IMAGE_H

#include <stddef.h>
#include <stdint.h>

enum cw_image_type {
	CW_IMAGE_NONE = 0,
	CW_IMAGE_JPEG,
	CW_IMAGE_PNG,
	CW_IMAGE_WEBP,
};

enum cw_image_rc {
	CW_IMAGE_OK = 0,
	CW_IMAGE_UNKNOWN, /* not the signature of a type we take */
	CW_IMAGE_CORRUPT, /* the signature of one, but a broken or truncated structure */
};

struct cw_image_info {
	enum cw_image_type type;
	uint32_t width, height; /* 0 when the file does not say (JPEG height set by DNL) */
	size_t dropped;		/* bytes of the input not in the output */
};

/* The type the leading bytes announce (JPEG FF D8 FF, the PNG signature, RIFF….WEBP),
 * without any further check; CW_IMAGE_NONE for anything else. */
enum cw_image_type cw_image_detect(const void *data, size_t len);
/* "image/jpeg", "image/png", "image/webp"; NULL for CW_IMAGE_NONE. */
const char *cw_image_mime(enum cw_image_type t);
/* The type of a Content-Type value ("image/png", case-insensitive, parameters after ';'
 * ignored; "image/jpg" is taken for JPEG); CW_IMAGE_NONE for anything else. */
enum cw_image_type cw_image_type_of_mime(const char *content_type);

/* Checks data[0..len) and writes it without metadata to out, which holds at least len
 * bytes (the output is never longer than the input); *out_len is its length. On failure
 * nothing is promised about out. info may be NULL. */
enum cw_image_rc cw_image_strip(const void *data, size_t len, void *out, size_t *out_len,
				struct cw_image_info *info);

/* CRC-32 (ISO-HDLC, as PNG uses): crc = cw_crc32(0, p, n) for a whole buffer. */
uint32_t cw_crc32(uint32_t crc, const void *data, size_t n);

#endif
