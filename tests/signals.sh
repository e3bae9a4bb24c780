#!/usr/bin/env bash
# Signals in the report: SIGINT, SIGTERM and SIGHUP end a repeating report
# after the sample in progress, with exit status 0 and a recording that
# replays without damage; SIGPIPE (a reader that went away) ends it quietly.
# Runs in the caller's own namespace: no root needed.
set -uo pipefail
portstat=${PORTSTAT:?}
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
	elif ! jq -e . "$tmp/$sig.out" > /dev/null; then
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
	if [ "$rc" -gt 3 ] || ! jq -e . "$tmp/leaks-$sig.out" > /dev/null; then
		ko "leaks SIG$sig: exit $rc, stderr: $(cat "$tmp/leaks-$sig.err")"
	else
		pass=$((pass + 1))
	fi
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
