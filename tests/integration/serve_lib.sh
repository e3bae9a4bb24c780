# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# serve_lib.sh - helpers for the it_serve*.sh tests, sourced after lib.sh.
# It owns the one `portstat serve` a test runs at a time: starting it in a
# namespace (as root, or as another user from a copy that user can run),
# polling until it answers, scraping it, checking lines of a body, and
# stopping it (SIGTERM, exit 0, nothing said on stderr).  sv_init first.

SV_NS="" SV_URL="" SV_PID=""

# sv_init NS PORT: where the exporter runs and listens (127.0.0.1:PORT);
# curl scrapes it.
sv_init() {
	command -v curl >/dev/null || ps_fail "curl not installed"
	SV_NS=$1
	SV_URL="http://127.0.0.1:$2"
	ps_tmpdir
}

# sv_set_trap [CLEANUP]: on exit, INT and TERM end the exporter, then run
# CLEANUP (default ps_cleanup; lk_cleanup where leaks_lib.sh runs servers).
sv_set_trap() {
	local c=${1:-ps_cleanup}
	trap "sv_kill; $c" EXIT
	trap "sv_kill; $c; trap - EXIT; exit 130" INT
	trap "sv_kill; $c; trap - EXIT; exit 143" TERM
}

# sv_start [-u USER] ARGS...: `portstat serve --listen ... ARGS` in the
# namespace, polled (bounded, 10 s) until GET / answers; SV_PID is
# portstat's own pid, for signals and /proc.
sv_start() {
	local i run=("$PORTSTAT")
	if [ "$1" = -u ]; then
		ps_reachable_copy "$PORTSTAT" copy "$2"
		# setpriv execs: the pid is portstat's.
		run=(setpriv --reuid "$2" --regid "$(id -g "$2")" --clear-groups -- "$copy")
		shift 2
	fi
	ip netns exec "$SV_NS" "${run[@]}" serve --listen "${SV_URL#http://}" "$@" \
		2> "$PS_TMPDIR/serve.err" &
	SV_PID=$!
	for ((i = 0; i < 100; i++)); do
		ip netns exec "$SV_NS" curl -sf -o /dev/null "$SV_URL/" && return 0
		kill -0 "$SV_PID" 2>/dev/null || ps_fail "serve exited: $(cat "$PS_TMPDIR/serve.err")"
		sleep 0.1
	done
	ps_fail "serve never answered on $SV_URL"
}

# sv_stop: SIGTERM; it must end (polled, 10 s) with status 0 and have
# said nothing on stderr.
sv_stop() {
	local i rc
	kill -TERM "$SV_PID"
	for ((i = 0; i < 100; i++)); do
		kill -0 "$SV_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$SV_PID" 2>/dev/null && ps_fail "serve still runs 10 s after SIGTERM"
	wait "$SV_PID"
	rc=$?
	SV_PID=""
	[ "$rc" = 0 ] || ps_fail "serve exited $rc on SIGTERM: $(cat "$PS_TMPDIR/serve.err")"
	[ -s "$PS_TMPDIR/serve.err" ] && ps_fail "serve said: $(cat "$PS_TMPDIR/serve.err")"
	return 0
}

# sv_kill: for traps: end the exporter if one runs (SIGTERM, then SIGKILL
# after 5 s), checking nothing.
sv_kill() {
	local i
	[ -n "$SV_PID" ] || return 0
	kill -TERM "$SV_PID" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		kill -0 "$SV_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$SV_PID" 2>/dev/null
	wait "$SV_PID" 2>/dev/null
	SV_PID=""
}

# sv_get CURL-ARGS...: curl -sf in the namespace.
sv_get() { ip netns exec "$SV_NS" curl -sf "$@"; }

# sv_metrics: the body of GET /metrics.
sv_metrics() { sv_get "$SV_URL/metrics"; }

# sv_has BODY LINE: BODY holds LINE exactly; else fail, showing BODY's
# series of LINE's metric.
sv_has() {
	local name=${2%%[{ ]*}
	grep -qxF -- "$2" <<<"$1" ||
		ps_fail "no line '$2' in: $(grep "^$name[{ ]" <<<"$1" | head -40)"
}

# sv_promtool BODY WHAT: promtool accepts BODY (logged and skipped when
# promtool is not installed).
sv_promtool() {
	if command -v promtool >/dev/null; then
		promtool check metrics <<<"$1" || ps_fail "promtool rejects the $2 exposition"
	else
		ps_log "promtool not installed: $2 exposition not linted"
	fi
}
