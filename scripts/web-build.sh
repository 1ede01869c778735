#!/usr/bin/env bash
# web-build.sh OUT - assembles the console that `civicgrid serve` serves: the project's
# own web/ files and, under vendor/, the third-party files it loads, copied from the
# npm modules of package-lock.json (nothing third-party is kept in the repository).
# Run by every build (CMake target `web`): OUT is made afresh, so files removed from
# web/ do not linger.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: web-build.sh OUT}
rm -rf "$out"
mkdir -p "$out"

copy() { # copy SRC DST: file or directory, keeping times; quiet when unchanged
	mkdir -p "$(dirname "$2")"
	cp -Rp "$1" "$2"
}

cp -Rp web/. "$out/"

nm=node_modules
for f in leaflet/dist/leaflet.js leaflet/dist/leaflet.css leaflet/dist/images \
	leaflet.markercluster/dist/leaflet.markercluster.js \
	leaflet.markercluster/dist/MarkerCluster.css \
	leaflet.markercluster/dist/MarkerCluster.Default.css \
	echarts/dist/echarts.min.js; do
	if [[ ! -e "$nm/$f" ]]; then
		echo "web-build.sh: $nm/$f is missing: run scripts/deps.sh (npm ci)" >&2
		exit 1
	fi
	pkg=${f%%/*}
	copy "$nm/$f" "$out/vendor/$pkg/$(basename "$f")"
done
# The licences travel with the files.
for pkg in leaflet leaflet.markercluster echarts; do
	lic=$(ls "$nm/$pkg" | grep -i -m1 '^licen[cs]e' || true)
	[[ -n "$lic" ]] && copy "$nm/$pkg/$lic" "$out/vendor/$pkg/LICENSE"
done
exit 0
