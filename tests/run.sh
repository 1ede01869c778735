#!/usr/bin/env bash
# make test: builds (plain and ASan+UBSan), starts a throw-away PostgreSQL, runs the
# unit tests and the store contract (ctest), the end-to-end API tests (node --test)
# on SQLite and PostgreSQL, the console's browser tests in Chromium, and the same unit
# and end-to-end suites under the sanitizers; stops what it started and ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

passed=0
failed=0
log_dir=$(mktemp -d /tmp/cw-test.XXXXXX)
pg_dir=""

finish() {
	if [ -n "$pg_dir" ]; then
		tests/pg.sh stop "$pg_dir" >/dev/null 2>&1 || true
	fi
	step_end
	printf '\n  (make test: %d s)\n' $((SECONDS - run_start))
	echo
	echo "$passed passed, $failed failed"
	if [ "$failed" -eq 0 ]; then exit 0; else exit 1; fi
}
trap 'failed=$((failed + 1)); echo "interrupted"; finish' INT TERM

# Each step ends with its elapsed seconds and the CPU seconds of what it ran (the
# children's user+system time from `times`; other users of the machine do not count),
# e.g. "  (83 s, cpu 120 s)"; the run ends with the total.
run_start=$SECONDS
step_start=""
step_cpu=0
cpu_now=0
# `times` runs in this shell (a command substitution would count its own children).
children_cpu() {
	times >"$log_dir/times"
	tail -1 "$log_dir/times" | awk '{
		t = 0
		for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] }
		printf "%d\n", t }' >"$log_dir/cpu"
	read -r cpu_now <"$log_dir/cpu"
}
step_end() {
	if [ -n "$step_start" ]; then
		children_cpu
		printf '  (%d s, cpu %d s)\n' $((SECONDS - step_start)) $((cpu_now - step_cpu))
	fi
	step_start=""
}
step() {
	step_end
	printf '\n== %s\n' "$*"
	children_cpu
	step_start=$SECONDS; step_cpu=$cpu_now
}

# ctest prints "NN% tests passed, F tests failed out of T".
run_ctest() {
	local dir=$1 label=$2
	local out="$log_dir/ctest-$label.log"
	step "unit and store contract tests ($label)"
	(cd "$dir" && ctest --output-on-failure -j2 --timeout 300) >"$out" 2>&1
	local rc=$?
	grep -E '^ *[0-9]+/[0-9]+ Test' "$out" | sed 's/^ */  /'
	local line t f
	line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$out" | tail -1)
	if [ -z "$line" ]; then
		echo "ctest ($label) did not run: see below"; tail -30 "$out"
		failed=$((failed + 1)); return
	fi
	t=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
	f=$(sed -E 's/.*, ([0-9]+) tests? failed.*/\1/' <<<"$line")
	passed=$((passed + t - f)); failed=$((failed + f))
	if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then
		sed -n '/The following tests FAILED/,$p' "$out"
		grep -B2 -A40 -E '\*\*\*Failed|\*\*\*Exception|\[  FAILED  \]|ERROR:' "$out" | head -150
	fi
}

# node --test with the TAP reporter ends with "# pass N" and "# fail N".
# run_node DIR TIMEOUT_MS BIN LABEL TITLE [ENV=VALUE…]
run_node() {
	step "$5 ($4)"
	node_start "$1" "$2" "$3" "$4" "${@:6}"
	node_report "$4"
}
# node_start DIR TIMEOUT_MS BIN LABEL [ENV=VALUE…]: starts node --test in the
# background; node_report LABEL waits for it and counts its results.
declare -A node_pid
node_start() {
	local dir=$1 timeout=$2 bin=$3 label=$4
	local out="$log_dir/node-$label.log"
	shift 4
	env CW_BIN="$bin" "$@" node --test --test-reporter=tap --test-timeout="$timeout" \
		--test-concurrency=2 "$dir" >"$out" 2>&1 &
	node_pid[$label]=$!
}
node_report() {
	local label=$1
	local out="$log_dir/node-$label.log"
	wait "${node_pid[$label]}"
	local p f d
	p=$(grep -E '^# pass [0-9]+' "$out" | tail -1 | awk '{print $3}')
	f=$(grep -E '^# fail [0-9]+' "$out" | tail -1 | awk '{print $3}')
	d=$(grep -E '^# duration_ms [0-9.]+' "$out" | tail -1 | awk '{printf "%d", $3 / 1000}')
	if [ -z "$p" ] || [ -z "$f" ]; then
		echo "node --test ($label) did not finish: see below"; tail -40 "$out"
		failed=$((failed + 1)); return
	fi
	echo "  $label: $p passed, $f failed (${d} s)"
	passed=$((passed + p)); failed=$((failed + f))
	if [ "$f" -ne 0 ]; then
		grep -E '^ *not ok' "$out" | head -40
		grep -A40 -E '^ *not ok' "$out" | head -250
	fi
}
# The API against the real binary; the console in Debian's Chromium (playwright-core,
# one server and browser per file; it rewrites docs/screenshots/).
run_e2e() {
	local bin=$1 label=$2
	shift 2
	run_node tests/e2e/ 120000 "$bin" "$label" "end-to-end API tests" "$@"
}
run_browser() {
	run_node tests/browser/ 300000 "$1" "$2" "browser tests of the web console"
}

step "dependencies"
if ! scripts/deps.sh; then
	failed=$((failed + 1)); finish
fi

step "docs: the error table of docs/api.md matches src/core/errors.def"
if scripts/errors-table.sh --check; then
	echo "  in step"; passed=$((passed + 1))
else
	failed=$((failed + 1))
fi

build() {
	local dir=$1; shift
	cmake -S . -B "$dir" "$@" >"$log_dir/cmake-$dir.log" 2>&1 &&
		cmake --build "$dir" -j2 >>"$log_dir/cmake-$dir.log" 2>&1
}
step "build (-Wall -Wextra -Werror)"
if build build -DCMAKE_BUILD_TYPE=RelWithDebInfo; then
	echo "  build/civicgrid built"
else
	tail -40 "$log_dir/cmake-build.log"; failed=$((failed + 1)); finish
fi
step "build with AddressSanitizer and UndefinedBehaviorSanitizer"
if build build-asan -DCMAKE_BUILD_TYPE=Debug -DCW_SANITIZE=ON; then
	echo "  build-asan/civicgrid built"
else
	tail -40 "$log_dir/cmake-build-asan.log"; failed=$((failed + 1)); finish
fi

step "PostgreSQL 15 on loopback"
pg_dir=$(mktemp -d /tmp/cw-pg.XXXXXX)
if pg_url=$(tests/pg.sh start "$pg_dir"); then
	export CW_TEST_PG_URL="$pg_url"
	echo "  $pg_url"
else
	echo "  could not start PostgreSQL"; failed=$((failed + 1))
fi

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

run_ctest build plain
run_e2e "$root/build/civicgrid" sqlite
# One suite at a time: the end-to-end tests on PostgreSQL beside the browser tests took
# up to 47 s for a file's first test (its limit is 120 s) for about 60 s gained.
run_browser "$root/build/civicgrid" chromium
if [ -n "${CW_TEST_PG_URL:-}" ]; then
	run_e2e "$root/build/civicgrid" postgresql CW_E2E_DB=postgres
fi
run_ctest build-asan asan
run_e2e "$root/build-asan/civicgrid" asan-sqlite CW_E2E_SANITIZED=1

finish
