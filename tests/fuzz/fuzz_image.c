/* fuzz_image.c - libFuzzer target for the photo checks and metadata stripping
 * (core/image.h): whatever is accepted strips to a buffer no longer than the input, of
 * the detected type and size, that is accepted again and strips to itself.
 *
 * Build (tests/fuzz/run.sh builds every target the same way):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc \
 *     tests/fuzz/fuzz_image.c src/core/image.c -o fuzz_image */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"

static void check(bool ok)
{
	if (!ok)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exactly the input's length, so ASan catches a write past what was promised. */
	uint8_t *out = malloc(size ? size : 1);
	size_t out_len = 12345;
	struct cw_image_info info;
	enum cw_image_rc rc = cw_image_strip(data, size, out, &out_len, &info);
	enum cw_image_type t = cw_image_detect(data, size);
	if (rc != CW_IMAGE_OK) {
		check(out_len == 0);
		check(rc == (t == CW_IMAGE_NONE ? CW_IMAGE_UNKNOWN : CW_IMAGE_CORRUPT));
		free(out);
		return 0;
	}
	check(t != CW_IMAGE_NONE && info.type == t);
	check(out_len <= size && info.dropped == size - out_len);
	check(cw_image_detect(out, out_len) == t);

	uint8_t *again = malloc(out_len ? out_len : 1);
	size_t again_len = 0;
	struct cw_image_info info2;
	check(cw_image_strip(out, out_len, again, &again_len, &info2) == CW_IMAGE_OK);
	check(again_len == out_len && memcmp(again, out, out_len) == 0);
	check(info2.type == t && info2.dropped == 0);
	check(info2.width == info.width && info2.height == info.height);
	free(again);
	free(out);
	return 0;
}
