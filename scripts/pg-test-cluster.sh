#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for paved's storage, queue and trail tests.
#
#   eval "$(scripts/pg-test-cluster.sh start)"   # prints export lines; the cluster keeps running
#   cargo test -p paved-store                     # every test then also runs on PostgreSQL
#   scripts/pg-test-cluster.sh stop               # stops it and deletes its directory
#
# `start` installs PostgreSQL from the Debian packages when it is missing and we are root, creates a
# cluster in a temporary directory with `initdb --no-sync -A trust`, starts it on a free loopback
# port and prints:
#   export PAVED_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:PORT/postgres
#   export PAVED_TEST_PG_DIR=/tmp/paved-pg.XXXX
# The server keeps fsync on, so figures measured against it are durable ones.
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user.
set -euo pipefail

log() { echo "pg-test-cluster: $*" >&2; }

find_bin() {
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        if [[ -x "$dir/initdb" ]]; then
            echo "$dir"
            return 0
        fi
    done
    if command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
        return 0
    fi
    return 1
}

as_server_user() {
    if [[ $EUID -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
        || echo $((20000 + RANDOM % 40000))
}

start() {
    local bin
    if ! bin=$(find_bin); then
        if [[ $EUID -ne 0 ]]; then
            log "PostgreSQL is not installed; install the postgresql package and run this again."
            exit 1
        fi
        log "installing PostgreSQL from the Debian packages"
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
        bin=$(find_bin)
    fi
    local dir
    dir=$(mktemp -d /tmp/paved-pg.XXXXXX)
    chmod 755 "$dir"
    mkdir "$dir/data" "$dir/socket"
    if [[ $EUID -eq 0 ]]; then
        chown -R postgres:postgres "$dir"
    fi
    as_server_user "$bin/initdb" --no-sync -A trust -U postgres -E UTF8 --locale=C -D "$dir/data" >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    local port attempt
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        if as_server_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
            -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir/socket -c max_connections=200" \
            start >&2; then
            echo "$port" >"$dir/port"
            echo "$bin" >"$dir/bin"
            echo "export PAVED_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$port/postgres"
            echo "export PAVED_TEST_PG_DIR=$dir"
            log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') running on 127.0.0.1:$port ($dir)"
            return 0
        fi
        log "port $port was taken (attempt $attempt); trying another"
    done
    cat "$dir/server.log" >&2
    exit 1
}

stop() {
    local dir=${1:-${PAVED_TEST_PG_DIR:-}}
    if [[ -z "$dir" || ! -d "$dir/data" ]]; then
        log "no cluster to stop: pass its directory or set PAVED_TEST_PG_DIR."
        exit 1
    fi
    as_server_user "$(cat "$dir/bin")/pg_ctl" -D "$dir/data" -m immediate -w stop >&2 || true
    rm -rf "$dir"
}

fsync_cost() {
    # The cost of one durable write on this machine, which bounds any durable queue's latency.
    local bin
    bin=$(find_bin) || { log "PostgreSQL is not installed"; exit 1; }
    local dir
    dir=$(mktemp -d /tmp/paved-fsync.XXXXXX)
    chmod 777 "$dir"
    as_server_user "$bin/pg_test_fsync" -s 2 -f "$dir/probe" | sed -n '/Compare file sync methods using one 8kB write/,/^$/p'
    rm -rf "$dir"
}

case "${1:-}" in
    start) start ;;
    stop) stop "${2:-}" ;;
    fsync) fsync_cost ;;
    *)
        echo "usage: $0 start | stop [DIR] | fsync" >&2
        exit 2
        ;;
esac
