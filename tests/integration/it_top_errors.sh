#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# it_top_errors: what 'portstat top' refuses and how it ends, in a real
# terminal (a private tmux server).  A terminal that cannot move the cursor
# (TERM=dumb, a hardcopy type) is refused at once with exit 1 and a hint.
# A replay of a damaged recording shows the samples before the damage and
# the error, and exits 1 with it (q); a recording without samples exits 1;
# a whole recording still exits 0.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tmux_lib.sh"
ps_require_root
command -v tmux >/dev/null || { echo "SKIP: tmux not installed" >&2; exit 77; }
infocmp dumb >/dev/null 2>&1 || { echo "SKIP: no terminfo entry for 'dumb'" >&2; exit 77; }

B=24000
ps_netns_new ns
ps_popgen_start "$ns" -4 --established 20 --close-wait 3 --port-base $B
tm_init
D=$PS_TMPDIR

# run.sh TAG ARGS...: portstat top in the pane; its status and stderr in
# TAG.rc and TAG.err; then the pane stays.
cat >"$D/run.sh" <<'EOS'
tag=$1; shift
cd "$(dirname "$0")" || exit 1
"$PORTSTAT" top "$@" 2>"$tag.err"
echo $? >"$tag.rc.tmp"
mv "$tag.rc.tmp" "$tag.rc"
exec sleep 600
EOS
start() {	# start SESSION TERM ARGS...
	local s=$1 term=$2
	shift 2
	"${T[@]}" new-session -d -s "$s" -x 120 -y 40 \
		"env PORTSTAT='$PORTSTAT' LANG=C.UTF-8 TERM=$term bash '$D/run.sh' $s $*" ||
		ps_fail "tmux new-session failed"
}
ended() {	# ended TAG: wait (bounded) for the run's status; print it
	local i
	for ((i = 0; i < 100; i++)); do
		[ -f "$D/$1.rc" ] && break
		sleep 0.1
	done
	cat "$D/$1.rc" 2>/dev/null || echo none
}

# --- terminals that cannot address the cursor -----------------------------
for term in dumb; do
	start "t-$term" "$term" -N "$ns"
	[ "$(ended "t-$term")" = 1 ] || ps_fail "TERM=$term: status $(ended "t-$term"): $(cat "$D/t-$term.err")"
	grep -q "^portstat: terminal type '$term' (TERM) cannot move the cursor, which 'top' needs; .*portstat report" \
		"$D/t-$term.err" || ps_fail "TERM=$term message: $(cat "$D/t-$term.err")"
	[ "$(wc -l <"$D/t-$term.err")" = 1 ] || ps_fail "TERM=$term: not one line: $(cat "$D/t-$term.err")"
done
echo "ok - TERM=dumb refused at once, exit 1, one line"

# --- replays ----------------------------------------------------------------
"$PORTSTAT" -N "$ns" --record "$D/good.rec" -c 2 -i 0.05 >/dev/null || ps_fail "record failed"
size=$(stat -c %s "$D/good.rec")
# Cut in the middle of the second sample: the first replays whole.
head -c $((size - 40)) "$D/good.rec" >"$D/cut.rec"
"$PORTSTAT" --replay "$D/cut.rec" -f json >/dev/null 2>"$D/cut.report.err"
[ $? = 1 ] || ps_fail "the report of the cut recording did not fail"
want=$(sed 's/^portstat: //' "$D/cut.report.err")

start cut screen --replay "$D/cut.rec" -i 0.05
wait_for cut "the error on the status line" has "sample failed: "
wait_for cut "sample 1's rows" has "^$((B + 1)) +in "
keys cut q
[ "$(ended cut)" = 1 ] || ps_fail "cut replay: status $(ended cut): $(cat "$D/cut.err")"
[ "$(cat "$D/cut.err")" = "portstat: $want" ] ||
	ps_fail "cut replay said '$(cat "$D/cut.err")', want 'portstat: $want'"
echo "ok - a damaged replay shows what it could, then exits 1 with the error ($want)"

# A recording file with no sample in it: what a failed --record leaves.
head -c 16 "$D/good.rec" >"$D/empty.rec"
start empty screen --replay "$D/empty.rec" -i 0.05
wait_for empty "the replay's end" has "replay ended"
keys empty q
[ "$(ended empty)" = 1 ] || ps_fail "empty replay: status $(ended empty): $(cat "$D/empty.err")"
grep -q "holds no samples" "$D/empty.err" || ps_fail "empty replay said: $(cat "$D/empty.err")"

start good screen --replay "$D/good.rec" -i 0.05
wait_for good "the replay's end" has "replay ended"
keys good q
[ "$(ended good)" = 0 ] || ps_fail "whole replay: status $(ended good): $(cat "$D/good.err")"
[ ! -s "$D/good.err" ] || ps_fail "whole replay said: $(cat "$D/good.err")"
echo "ok - a recording without samples exits 1, a whole one 0"
echo "it_top_errors: 3 passed, 0 failed"
