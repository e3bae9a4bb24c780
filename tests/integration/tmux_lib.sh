# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# tmux_lib.sh - the dashboard tests' terminal, sourced after lib.sh: a
# private tmux server (its socket in the test's tmp dir, so only it is
# killed, before lib.sh's cleanup), keys, and bounded polls of a screen.

# tm_init: the server's command in T (an array) and the EXIT/INT/TERM traps.
tm_init() {
	ps_tmpdir
	T=(tmux -S "$PS_TMPDIR/tmux.sock" -f /dev/null)
	trap 'tm_cleanup' EXIT
	trap 'tm_cleanup; trap - EXIT; exit 130' INT
	trap 'tm_cleanup; trap - EXIT; exit 143' TERM
}

tm_cleanup() {
	"${T[@]}" kill-server 2>/dev/null
	ps_cleanup
}

screen() { "${T[@]}" capture-pane -p -t "$1"; }
keys() { local s=$1; shift; "${T[@]}" send-keys -t "$s" "$@"; }

# wait_for SESSION WHAT TEST...: poll (TM_WAIT tenths of a second at most,
# default 100) until the command TEST, run with the screen in $S, succeeds.
wait_for() {
	local s=$1 what=$2 i
	shift 2
	for ((i = 0; i < ${TM_WAIT:-100}; i++)); do
		S=$(screen "$s")
		"$@" && return 0
		sleep 0.1
	done
	printf '%s\n' "$S" >&2
	ps_fail "timed out waiting for $what"
}

has() { grep -qE -- "$1" <<<"$S"; }

# tm_valgrind_ok DIR TENTHS: a valgrind run that writes its status to
# DIR/vg.rc and its log to DIR/vg.log ended (waited for TENTHS tenths of a
# second at most) with status 0 and no definite leaks.
tm_valgrind_ok() {
	local d=$1 i
	for ((i = 0; i < $2; i++)); do [ -f "$d/vg.rc" ] && break; sleep 0.1; done
	[ "$(cat "$d/vg.rc" 2>/dev/null)" = 0 ] ||
		ps_fail "valgrind: status $(cat "$d/vg.rc" 2>/dev/null): $(grep -E 'lost|ERROR' "$d/vg.log")"
	grep -qE 'definitely lost: 0 bytes|no leaks are possible' "$d/vg.log" ||
		ps_fail "valgrind: $(grep lost "$d/vg.log")"
	echo "ok - valgrind: $(grep -oE 'ERROR SUMMARY: [0-9]+ errors' "$d/vg.log"), no definite leaks"
}
