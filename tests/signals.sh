#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Signals in the report: SIGINT, SIGTERM and SIGHUP end a repeating report
# after the sample in progress, with exit status 0 and a recording that
# replays without damage; SIGPIPE (a reader that went away) ends it quietly.
# Runs in the caller's own namespace: no root needed.
set -uo pipefail
# Whole JSON lines are checked with "jq -s .": it accepts no output at all
# (a run stopped before its first sample) and rejects a cut line.
portstat=${PORTSTAT:?}
# The window cases preload a shim; an ASan build wants its runtime first.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
pass=0 fail=0
ko() { echo "FAIL: $*"; fail=$((fail + 1)); }

for sig in INT TERM HUP; do
	"$portstat" -f json -i 0.05 --record "$tmp/$sig.rec" > "$tmp/$sig.out" 2> "$tmp/$sig.err" &
	pid=$!
	# Wait (bounded) until it has written three samples.
	for _ in $(seq 200); do
		[ "$(wc -l < "$tmp/$sig.out")" -ge 3 ] && break
		sleep 0.05
	done
	kill -s "$sig" "$pid"
	wait "$pid"
	rc=$?
	pid=
	n=$(wc -l < "$tmp/$sig.out")
	if [ "$rc" != 0 ]; then
		ko "SIG$sig: exit $rc ($(cat "$tmp/$sig.err"))"
	elif [ -s "$tmp/$sig.err" ]; then
		ko "SIG$sig: printed $(cat "$tmp/$sig.err")"
	elif ! jq -s . "$tmp/$sig.out" > /dev/null; then
		ko "SIG$sig: a sample's JSON was cut"
	elif [ "$("$portstat" --replay "$tmp/$sig.rec" -f json | wc -l)" != "$n" ]; then
		ko "SIG$sig: recording replays $("$portstat" --replay "$tmp/$sig.rec" -f json 2>&1 | wc -l) samples, output had $n"
	else
		pass=$((pass + 1))
	fi
done

# leaks -i ends the same way on every signal: whole JSON lines and the last
# sample's monitoring status (0-3: whatever this namespace holds), never
# death by the signal.
for sig in INT TERM HUP; do
	"$portstat" leaks -f json -i 0.05 > "$tmp/leaks-$sig.out" 2> "$tmp/leaks-$sig.err" &
	pid=$!
	for _ in $(seq 200); do
		[ "$(wc -l < "$tmp/leaks-$sig.out")" -ge 3 ] && break
		sleep 0.05
	done
	kill -s "$sig" "$pid"
	wait "$pid"
	rc=$?
	pid=
	if [ "$rc" -gt 3 ] || ! jq -s . "$tmp/leaks-$sig.out" > /dev/null; then
		ko "leaks SIG$sig: exit $rc, stderr: $(cat "$tmp/leaks-$sig.err")"
	else
		pass=$((pass + 1))
	fi
done

# A signal ends the wait between samples however long the interval: with
# -i 3600, every loop (report, --all-netns, leaks) must exit within 10 s of
# the first sample.  Exit is polled for; a zombie counts as gone.
alive() { kill -0 "$1" 2>/dev/null && ! grep -qs '^State:[[:space:]]*Z' "/proc/$1/status"; }
# started CMD...: run portstat (with the environment in the array shim,
# if any) in the background, output in $tmp/w.out; return once it runs
# (execd), false if it never does.  No signal may reach the forked shell
# before its exec: it would run our EXIT trap.
shim=()
started() {
	rm -f "$tmp/w.out" "$tmp/w.err"
	env "${shim[@]}" "$portstat" "$@" > "$tmp/w.out" 2> "$tmp/w.err" &
	pid=$!
	execd
}
# execd: wait (bounded, 5 s) until the background child runs portstat
# (or has already ended: a quick one may be gone before we look).
execd() {
	local i exe
	exe=$(readlink -f "$portstat")
	for ((i = 0; i < 500; i++)); do
		[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$exe" ] && return 0
		alive "$pid" || return 0
		[ "$i" -lt 100 ] || sleep 0.01
	done
	return 1
}
# first_line: wait (bounded, 60 s: --all-netns walks every namespace) for
# the first sample; false if portstat ended without it or never wrote it.
has_line() { [ -s "$tmp/w.out" ] && [ "$(tail -c 1 "$tmp/w.out" | od -An -c | tr -d ' ')" = '\n' ]; }
first_line() {
	local i
	for ((i = 0; i < 1200; i++)); do
		has_line && return 0
		alive "$pid" || { has_line; return; }
		sleep 0.05
	done
	return 1
}
# ended NAME MAXRC: poll (10 s) for the exit; check status <= MAXRC (no
# death by a signal) and that every line written is whole JSON.
ended() {
	local name=$1 maxrc=$2 i
	for ((i = 0; i < 200; i++)); do
		alive "$pid" || break
		sleep 0.05
	done
	if alive "$pid"; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		pid=
		ko "$name: still running 10 s after the signal"
		return
	fi
	wait "$pid"
	rc=$?
	pid=
	if [ "$rc" -gt "$maxrc" ]; then
		ko "$name: exit $rc, stderr: $(head -c 300 "$tmp/w.err")"
	elif ! jq -s . "$tmp/w.out" > /dev/null; then
		ko "$name: a sample's JSON was cut"
	else
		pass=$((pass + 1))
	fi
}
# The report's status is 0; --all-netns may be 1 when not root (other
# namespaces unreadable); leaks' is whatever this namespace holds (0-3).
loops=("report:0:-f json -i 3600" "all-netns:1:--all-netns -f json -i 3600"
       "leaks:3:leaks -f json -i 3600")

# The worst moment, deterministically: the sigwindow shim raises the
# signal on entry to the first sleep, after the loop's last look at its
# flag.  A loop that sleeps with the signal deliverable sleeps the hour.
if [ -n "${SIGWINDOW_LIB:-}" ]; then
	for loop in "${loops[@]}"; do
		IFS=: read -r name maxrc args <<<"$loop"
		for sig in INT TERM HUP; do
			rm -f "$tmp/w.log"
			shim=("SIGWINDOW=$sig" "SIGWINDOW_LOG=$tmp/w.log" "LD_PRELOAD=$SIGWINDOW_LIB")
			# shellcheck disable=SC2086  # args are words
			if ! started $args || ! first_line; then
				ko "$name SIG$sig in the window: no first sample: $(head -c 300 "$tmp/w.err")"
				continue
			fi
			ended "$name SIG$sig in the window" "$maxrc"
			[ "$(wc -l < "$tmp/w.log" 2>/dev/null)" = 1 ] ||
				ko "$name SIG$sig: the shim did not hit the window ($(cat "$tmp/w.log" 2>/dev/null))"
			[ "$(wc -l < "$tmp/w.out")" = 1 ] || ko "$name SIG$sig: $(wc -l < "$tmp/w.out") samples, want 1"
		done
	done
	shim=()
else
	echo "note: SIGWINDOW_LIB not set, the signal-window cases are not run"
fi

# The same by kill(1): SIGTERM once the first sample is out, and SIGTERM
# at once (before or during the first sample: a handled one gives status
# 0, one before the handler is installed kills -- never a hang).
for loop in "${loops[@]}"; do
	IFS=: read -r name maxrc args <<<"$loop"
	# shellcheck disable=SC2086
	if started $args && first_line; then
		kill -TERM "$pid"
		ended "$name SIGTERM after the first sample" "$maxrc"
	else
		ko "$name: no first sample: $(head -c 300 "$tmp/w.err")"
	fi
	for _ in 1 2 3; do
		# shellcheck disable=SC2086
		started $args || { ko "$name: portstat did not start"; continue; }
		kill -TERM "$pid"
		ended "$name SIGTERM at once" 143
	done
done

# SIGPIPE: the reader leaves after one line; portstat ends without a word.
( "$portstat" -f json -i 0.05 2> "$tmp/pipe.err"; echo "$?" > "$tmp/pipe.rc" ) | head -1 > /dev/null
for _ in $(seq 100); do [ -s "$tmp/pipe.rc" ] && break; sleep 0.05; done
rc=$(cat "$tmp/pipe.rc" 2>/dev/null)
if [ "$rc" != 141 ] && [ "$rc" != 0 ]; then
	ko "SIGPIPE: exit ${rc:-none}"
elif [ -s "$tmp/pipe.err" ]; then
	ko "SIGPIPE: printed $(cat "$tmp/pipe.err")"
else
	pass=$((pass + 1))
fi
echo "signals: $pass passed, $fail failed"
[ "$fail" = 0 ]
