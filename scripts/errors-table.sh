#!/usr/bin/env bash
# Prints the "Error codes" table of docs/api.md from src/core/errors.def, the one
# registry. `scripts/errors-table.sh --check` exits 1 when docs/api.md differs.
set -euo pipefail
cd "$(dirname "$0")/.."
table() {
	printf '| code | status |\n|---|---|\n'
	sed -nE 's/^X\(([A-Z0-9_]+), ([0-9]+), "[^"]*", "(.*)"\)$/| `\1` | \2 — \3 |/p' src/core/errors.def
}
if [ "${1:-}" = "--check" ]; then
	want=$(table)
	have=$(awk '/^## Error codes/{f=1; next} f && /^\|/{print} f && /^## / {exit}' docs/api.md)
	if [ "$want" != "$have" ]; then
		echo "docs/api.md's error table differs from src/core/errors.def; run scripts/errors-table.sh --write" >&2
		diff <(echo "$have") <(echo "$want") >&2 || true
		exit 1
	fi
	exit 0
fi
if [ "${1:-}" = "--write" ]; then
	tmp=$(mktemp)
	# Everything up to the heading, the new table, then whatever follows the old one.
	awk -v t="$(table)" '
		state == 0 { print; if (/^## Error codes/) { print ""; print t; state = 1 }; next }
		state == 1 { if (/^\|/) state = 2; next }
		state == 2 { if (/^\|/) next; state = 3 }
		{ print }' docs/api.md >"$tmp"
	mv "$tmp" docs/api.md
	exit 0
fi
table
