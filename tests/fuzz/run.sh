#!/usr/bin/env bash
# make fuzz [FUZZ_SECONDS=60]: builds every libFuzzer target under tests/fuzz/ with
# clang (ASan + UBSan) and runs each for FUZZ_SECONDS; a crash leaves its input in
# build-fuzz/ and exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${FUZZ_SECONDS:-60}
out=build-fuzz
mkdir -p "$out"
libs=$(pkg-config --cflags --libs libmicrohttpd jansson libsodium libgcrypt geos)
srcs=$(find src/util src/core src/http src/geo -name '*.c' | sort)
for target in tests/fuzz/fuzz_*.c; do
	name=$(basename "$target" .c)
	echo "== $name: building"
	# shellcheck disable=SC2086
	clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-D_GNU_SOURCE -Isrc "$target" $srcs $libs -lm -lpthread -o "$out/$name"
	echo "== $name: ${secs}s"
	mkdir -p "$out/$name.corpus"
	[ -d "tests/fuzz/seeds/$name" ] && cp -n tests/fuzz/seeds/"$name"/* "$out/$name.corpus/"
	(cd "$out" && "./$name" -max_total_time="$secs" -print_final_stats=1 "$name.corpus")
done
