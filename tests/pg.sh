#!/bin/sh
# pg.sh - a throw-away PostgreSQL 15 server for the store contract tests.
#   tests/pg.sh start DIR   initdb in DIR/data, serve on 127.0.0.1:<free port>, print the URL
#   tests/pg.sh stop DIR    stop that server and remove DIR
# initdb and postgres refuse to run as root, and CI runs as root: then both run as
# the `postgres` user of Debian's package, so DIR must be reachable by it (under /tmp).
set -eu

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
DBNAME=civicgrid_test
MARKER=.cw-pg-sh

die() {
	echo "pg.sh: $*" >&2
	exit 1
}

usage() {
	echo "usage: tests/pg.sh start DIR | tests/pg.sh stop DIR" >&2
	exit 2
}

# Run a PostgreSQL program as the server's owner: as `postgres` when we are root.
as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# True when something listens on TCP port $1 (ss when present, /proc otherwise).
port_busy() {
	if command -v ss >/dev/null 2>&1; then
		[ -n "$(ss -Htln "sport = :$1" 2>/dev/null)" ]
	else
		hex=$(printf '%04X' "$1")
		cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
			awk -v p=":$hex" '$2 ~ p"$" && $4 == "0A" {f=1} END {exit !f}'
	fi
}

pick_port() {
	i=0
	while [ $i -lt 200 ]; do
		# od gives a random 16-bit number without needing bash's $RANDOM.
		r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
		p=$((20000 + r % 40000))
		if ! port_busy "$p"; then
			echo "$p"
			return 0
		fi
		i=$((i + 1))
	done
	die "no free port found"
}

start() {
	dir=$1
	[ -x "$PGBIN/initdb" ] || die "$PGBIN/initdb not found (install postgresql-15)"
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	[ -z "$(ls -A "$dir")" ] || die "$dir is not empty"
	: >"$dir/$MARKER"
	if [ "$(id -u)" = 0 ]; then
		chown -R postgres: "$dir"
		chmod 700 "$dir"
		runuser -u postgres -- test -w "$dir" ||
			die "$dir is not reachable by the postgres user (use a dir under /tmp)"
	fi

	as_owner "$PGBIN/initdb" -D "$dir/data" -A trust -U postgres --encoding=UTF8 \
		--locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; die "initdb failed"; }

	# Another process may take the port between the check and the bind: try again.
	tries=0
	while :; do
		port=$(pick_port)
		if as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 30 \
			-o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
			start >"$dir/pg_ctl.log" 2>&1; then
			break
		fi
		tries=$((tries + 1))
		if [ $tries -ge 5 ] || ! grep -q 'could not bind' "$dir/postgres.log" 2>/dev/null; then
			tail -n 20 "$dir/postgres.log" >&2 2>/dev/null || true
			die "postgres did not start"
		fi
	done

	i=0
	until pg_isready -q -h 127.0.0.1 -p "$port" -U postgres; do
		i=$((i + 1))
		[ $i -lt 60 ] || die "postgres not ready after 30 s"
		sleep 0.5
	done
	as_owner "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U postgres "$DBNAME" >&2 ||
		die "createdb failed"
	echo "postgresql://postgres@127.0.0.1:$port/$DBNAME"
}

stop() {
	dir=$1
	[ -d "$dir" ] || exit 0
	# Only ever remove a directory that start made.
	[ -f "$dir/$MARKER" ] || die "$dir was not made by pg.sh start; not touching it"
	if [ -f "$dir/data/postmaster.pid" ]; then
		as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
			echo "pg.sh: pg_ctl stop failed" >&2
	fi
	rm -rf "$dir"
}

[ $# -eq 2 ] || usage
[ -n "$2" ] || usage
case $1 in
start) start "$2" ;;
stop) stop "$2" ;;
*) usage ;;
esac
