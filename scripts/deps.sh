#!/usr/bin/env bash
# deps.sh - installs the Debian packages (and npm modules) that build, test and run need; a quiet no-op when all are there.
set -euo pipefail

cd "$(dirname "$0")/.."

die() {
	echo "deps.sh: $*" >&2
	exit 1
}

# Build: compiler, CMake and the libraries of DESIGN.md. Tests: cmocka, clang with
# its runtime (libFuzzer, sanitizers), PostgreSQL for the store contract, Chromium
# and CJK fonts for browser tests, wrk and nginx for benchmarks, curl and ss.
packages=(
	build-essential cmake pkg-config
	libmicrohttpd-dev libjansson-dev libsqlite3-dev sqlite3 libpq-dev postgresql-15
	libsodium-dev libgcrypt20-dev libcmocka-dev libgeos-dev libxlsxwriter-dev
	clang libclang-rt-14-dev chromium fonts-noto-cjk wrk nginx-light curl iproute2
)
# xmllint checks the Open311 XML answers (tests/e2e/open311.test.mjs).
packages+=(libxml2-utils)
# jq writes and reads the benchmarks' results (bench/run, bench/report).
packages+=(jq)

# Node 20 or later may come from elsewhere (Debian 12's nodejs is 18): use it when
# present, and fall back to Debian's nodejs and npm only when there is no node.
if command -v node >/dev/null 2>&1; then
	node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
	if [[ ! "$node_major" =~ ^[0-9]+$ ]] || ((node_major < 20)); then
		echo "deps.sh: warning: node $(node --version 2>/dev/null || echo '?') is older than 20; the web tests need Node 20 or later" >&2
	fi
else
	packages+=(nodejs npm)
fi

# One dpkg-query for all packages keeps the no-op run fast.
declare -A installed=()
while read -r name want _ status; do
	[[ "$want" == install && "$status" == installed ]] && installed[$name]=1
done < <(dpkg-query -W -f='${Package} ${Status}\n' "${packages[@]}" 2>/dev/null || true)
missing=()
for p in "${packages[@]}"; do
	[[ -n "${installed[$p]:-}" ]] || missing+=("$p")
done

if ((${#missing[@]})); then
	sudo=()
	if (($(id -u) != 0)); then
		command -v sudo >/dev/null 2>&1 ||
			die "missing packages: ${missing[*]}; run this as root or install sudo"
		sudo=(sudo)
	fi
	command -v apt-get >/dev/null 2>&1 ||
		die "missing packages: ${missing[*]}; this script needs Debian's apt-get"
	echo "deps.sh: installing ${missing[*]}"
	"${sudo[@]}" apt-get update -q >/dev/null ||
		die "apt-get update failed; could not install: ${missing[*]}"
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends "${missing[@]}" ||
		die "apt-get install failed for: ${missing[*]}"
fi

# The web console's npm modules (Leaflet, ECharts, playwright-core). node_modules is
# touched after a successful install so that its time says when it was last synced.
if [[ -f package.json ]]; then
	command -v npm >/dev/null 2>&1 || die "package.json needs npm, and npm is not installed"
	if [[ -f package-lock.json ]]; then
		if [[ ! -d node_modules || package-lock.json -nt node_modules ]]; then
			echo "deps.sh: npm ci"
			npm ci --no-audit --no-fund || die "npm ci failed"
			mkdir -p node_modules && touch node_modules
		fi
	elif [[ ! -d node_modules || package.json -nt node_modules ]]; then
		echo "deps.sh: npm install"
		npm install --no-audit --no-fund || die "npm install failed"
		mkdir -p node_modules && touch node_modules
	fi
fi
