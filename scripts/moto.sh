#!/usr/bin/env bash
# A throwaway moto server (the AWS emulator) for the AWS provider's tests.
#
#   export PAVED_TEST_MOTO_URL="$(scripts/moto.sh start)"   # prints http://127.0.0.1:PORT
#   cargo test -p paved-executor --features aws
#   scripts/moto.sh stop
#
# `start` creates a Python virtual environment (outside the repository: under the cargo target
# directory, or PAVED_MOTO_VENV), installs `moto[server]` into it when it is missing, starts
# `moto_server` on a free loopback port, waits until it answers and prints its URL on stdout.
# Everything else goes to stderr. `stop` ends the server this script started, by its recorded pid.
set -euo pipefail

log() { echo "moto: $*" >&2; }

root="$(cd "$(dirname "$0")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
venv="${PAVED_MOTO_VENV:-$target/moto-venv}"
state="${PAVED_MOTO_STATE:-$target/moto-server}"
# The release the tests were written against; a newer 5.x works too.
moto_spec="${PAVED_MOTO_SPEC:-moto[server]>=5.1,<6}"

python_bin() {
    for p in python3 python; do
        if command -v "$p" >/dev/null 2>&1; then
            echo "$p"
            return 0
        fi
    done
    log "Python 3 is needed to run moto; install python3 and run this again"
    return 1
}

install() {
    if [[ -x "$venv/bin/moto_server" ]]; then
        return 0
    fi
    local py
    py="$(python_bin)"
    log "creating $venv and installing $moto_spec"
    mkdir -p "$(dirname "$venv")"
    "$py" -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$moto_spec" >&2
}

free_port() {
    "$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

answers() {
    "$venv/bin/python" - "$1" <<'PY' >/dev/null 2>&1
import sys, urllib.request
urllib.request.urlopen(sys.argv[1] + "/moto-api/data.json", timeout=2).read()
PY
}

start() {
    install
    if [[ -f "$state/url" && -f "$state/pid" ]] && kill -0 "$(cat "$state/pid")" 2>/dev/null; then
        if answers "$(cat "$state/url")"; then
            log "already running"
            cat "$state/url"
            return 0
        fi
    fi
    mkdir -p "$state"
    local port url pid
    port="$(free_port)"
    url="http://127.0.0.1:$port"
    # setsid: the server outlives this script and is stopped by `stop`, not by the caller's shell.
    setsid "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$state/log" 2>&1 < /dev/null &
    pid=$!
    echo "$pid" > "$state/pid"
    echo "$url" > "$state/url"
    for _ in $(seq 1 300); do
        if answers "$url"; then
            log "moto_server (pid $pid) answers at $url"
            echo "$url"
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            log "moto_server exited before answering; its log follows"
            cat "$state/log" >&2
            return 1
        fi
        sleep 0.1
    done
    log "moto_server did not answer within 30 seconds; its log is $state/log"
    kill "$pid" 2>/dev/null || true
    return 1
}

stop() {
    if [[ -f "$state/pid" ]]; then
        local pid
        pid="$(cat "$state/pid")"
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid"
            log "stopped moto_server (pid $pid)"
        fi
        rm -f "$state/pid" "$state/url"
    else
        log "no moto_server recorded in $state"
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    install) install ;;
    url) cat "$state/url" ;;
    *)
        echo "usage: $0 start|stop|install|url" >&2
        exit 2
        ;;
esac
