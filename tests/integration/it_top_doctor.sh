#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# it_top_doctor: the doctor on the dashboard (issue 17), in a real terminal.
# A namespace with a backlog-4 listener that never accepts while 20
# clients connect (doctor_lab.py): the status line shows the count of
# findings and the worst, accept-queue on the listener; D opens the
# findings screen with the finding's numbers, why and fix, and Esc, q and
# D go back to the list (q does not quit there).  At 60x15 and 40x10 the
# status line drops whole words and the findings screen still shows the
# finding and its numbers, nothing wider than the terminal.  A sample
# split into parallel dumps (PORTSTAT_SPLIT=2) finds what one dump does.
# Replays of -4 and -6 recordings.
# --all-netns names the finding's namespace.  A healthy namespace: "doctor: OK", and
# the screen says every check passed.  Every wait is a bounded poll of the
# screen.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tmux_lib.sh"
source "$(dirname "$0")/doctor_lib.sh"
ps_require_root
command -v tmux >/dev/null || { echo "SKIP: tmux not installed" >&2; exit 77; }
command -v jq >/dev/null || ps_fail "jq not installed"
# doctor_lib.sh's traps end the labs (by pid) and the namespaces; ours
# end the tmux server first: lab_cleanup removes the temporary directory
# that holds the server's socket, and without it kill-server cannot reach
# the server.
tm_init
trap '"${T[@]}" kill-server 2>/dev/null; lab_cleanup' EXIT
trap '"${T[@]}" kill-server 2>/dev/null; lab_cleanup; trap - EXIT; exit 130' INT
trap '"${T[@]}" kill-server 2>/dev/null; lab_cleanup; trap - EXIT; exit 143' TERM
D=$PS_TMPDIR

cat >"$D/run.sh" <<'EOS'
tag=$1; shift
cd "$(dirname "$0")" || exit 1
bash -c 'echo $$ >"$0.pid"; exec "$@" 2>"$0.err"' "$tag" "$PORTSTAT" top "$@"
echo $? >"$tag.rc"
exec sleep 600
EOS
start() {	# start SESSION ARGS...: a pane (TOP_SIZE, default 120x40) running portstat top
	local s=$1 size=${TOP_SIZE:-120x40}
	shift
	"${T[@]}" new-session -d -s "$s" -x "${size%x*}" -y "${size#*x}" \
		"env PORTSTAT='$PORTSTAT' LANG=C.UTF-8 TERM=screen ${TOP_ENV:-} bash '$D/run.sh' $s $*" ||
		ps_fail "tmux new-session failed"
}
status_line() { sed -n 4p <<<"$S"; }
running() { [ ! -f "$D/$1.rc" ] || ps_fail "$1: top exited $(cat "$D/$1.rc"): $(cat "$D/$1.err")"; }
fits() {	# fits W H: the screen is H lines, none wider than W cells
	[ "$(wc -l <<<"$S")" = "$2" ] && [ "$(LC_ALL=C.UTF-8 wc -L <<<"$S")" -le "$1" ]
}

# --- the pathology: accept queue full --------------------------------------
ps_netns_new acc
lab "$acc" backlog 8080 20
for ((i = 0; i < 100; i++)); do
	j=$("$PORTSTAT" doctor -N "$acc" -f json 2>/dev/null)
	[ "$(jq -c '[.findings[] | select(.check == "accept-queue") | .value]' <<<"$j")" = "[5]" ] && break
	sleep 0.1
done
[ "$(jq -c '[.findings[0] | .check, .value, .limit]' <<<"$j")" = '["accept-queue",5,4]' ] ||
	ps_fail "the lab's queue is not full: $j"
nf=$(jq '.findings | length' <<<"$j")
[ "$nf" = 1 ] || ps_fail "doctor finds $nf findings, the test expects 1: $j"

start main -N "$acc" -i 0.2
wait_for main "the status line's finding" has '^doctor: 1 finding, worst CRITICAL accept-queue listener 127\.0\.0\.1:8080  sort '
has 'D doctor' || ps_fail "the key bar does not offer D"
keys main D
wait_for main "the findings screen" has '^DOCTOR 1 finding: 1 critical, 0 warnings'
has '^CRITICAL accept-queue listener 127\.0\.0\.1:8080$' || ps_fail "finding line"
has '^  accept queue 5 of backlog 4 \(125%\)$' || ps_fail "the finding's numbers"
has '^  why: the application does not accept\(\) as fast' || ps_fail "why"
has '^  fix: accept faster' || ps_fail "fix"
has 'net\.core\.somaxconn \(4096\)' || ps_fail "somaxconn, read in the namespace"
has "^owners: not looked up here" || ps_fail "the owners note"
has 'Esc back' || ps_fail "the findings screen's keys"
printf '%s\n' "$S" >"$D/findings-120x40.txt"
keys main Escape
wait_for main "Esc: the list" has '^PORT +DIR'
keys main D
wait_for main "D again" has '^DOCTOR 1 finding'
keys main q
wait_for main "q: the list, not quit" has '^PORT +DIR'
running main
keys main D
wait_for main "D again" has '^DOCTOR 1 finding'
keys main D
wait_for main "D: the list" has '^PORT +DIR'
running main
keys main q
for ((i = 0; i < 100; i++)); do [ -f "$D/main.rc" ] && break; sleep 0.1; done
[ "$(cat "$D/main.rc" 2>/dev/null)" = 0 ] || ps_fail "q on the list: status $(cat "$D/main.rc" 2>/dev/null)"
echo "ok - accept queue full: status line 'doctor: 1 finding, worst CRITICAL accept-queue', D shows 5 of backlog 4, Esc/q/D back"

# --- replays ------------------------------------------------------------------
# The checks run on a replay's sockets (no sysctls there: the checks that
# need them say unknown); a -6 recording holds no IPv4 dump, and the
# dashboard's dump must not ask it for one.
"$PORTSTAT" -N "$acc" -4 --record "$D/four.rec" >/dev/null || ps_fail "-4 --record"
"$PORTSTAT" -N "$acc" -6 --record "$D/six.rec" >/dev/null || ps_fail "-6 --record"
start r4 -4 --replay "$D/four.rec" -i 0.2
wait_for r4 "a -4 replay's finding" has '^doctor: 1 finding, worst CRITICAL accept-queue listener 127\.0\.0\.1:8080 '
start r6 -6 --replay "$D/six.rec" -i 0.2
wait_for r6 "a -6 replay: doctor: OK" has '^doctor: OK  sort '
! has 'sample failed' || ps_fail "-6 replay: $S"
keys r4 q
keys r6 q
for t in r4 r6; do
	for ((i = 0; i < 100; i++)); do [ -f "$D/$t.rc" ] && break; sleep 0.1; done
	[ "$(cat "$D/$t.rc" 2>/dev/null)" = 0 ] || ps_fail "$t: status $(cat "$D/$t.rc" 2>/dev/null): $(cat "$D/$t.err")"
done
echo "ok - replays: the finding of a -4 recording, a -6 recording replays whole"

# --- narrow terminals ---------------------------------------------------------
# The status item keeps whole words: at 60 the check, at 40 the severity.
for size in 60x15 40x10; do
	w=${size%x*} h=${size#*x}
	TOP_SIZE=$size start "n$w" -N "$acc" -i 0.2
	if [ "$w" = 60 ]; then want='^doctor: 1 finding, worst CRITICAL accept-queue( |$)'
	else want='^doctor: 1 finding, worst CRITICAL( |$)'; fi
	wait_for "n$w" "the $size status line" has "$want"
	fits "$w" "$h" || ps_fail "$size: the list does not fit"
	keys "n$w" D
	narrow_ok() {
		has '^DOCTOR 1 finding' && has '^CRITICAL accept-queue' &&
			has '^  accept queue 5 of backlog 4 \(125%\)' && fits "$w" "$h"
	}
	wait_for "n$w" "the $size findings screen" narrow_ok
	# Wrapped at words: every line of the finding ends with a whole word
	# of the report's text.
	grep -qE '^CRITICAL accept-queue( listener( 127\.0\.0\.1:8080)?)?$' <<<"$S" ||
		ps_fail "$size: head line cut: $S"
	last=$(sed -n "${h}p" <<<"$S" | sed 's/ *$//')
	grep -qE '(back|scroll|pause|help)$' <<<"$last" || ps_fail "$size: key bar cut mid-word: '$last'"
	printf '%s\n' "$S" >"$D/findings-$size.txt"
	# At 40x10 the finding is longer than the screen: Down scrolls it by
	# a line, the head line leaves the top.
	if [ "$w" = 40 ]; then
		scrolled() { sed -n 6p <<<"$S" | grep -qE '^  '; }
		! scrolled || ps_fail "40x10: scrolled before Down"
		keys "n$w" Down
		wait_for "n$w" "40x10: Down scrolls" scrolled
	fi
	keys "n$w" Escape
	wait_for "n$w" "$size: back to the list" has '^PORT +DIR'
	running "n$w"
	keys "n$w" q
done
echo "ok - 60x15 and 40x10: the status line drops whole words, the findings screen fits"

# --- a sample split into parallel dumps: the same findings ----------------------
# A CLOSE_WAIT leak (15 on :8081) and its mirror (15 FIN_WAIT2 toward the
# peer), whose sockets the shares divide between them: one model per
# share, merged, counts them all.
ps_netns_new cw
lab "$cw" closewait 8081 15
for ((i = 0; i < 100; i++)); do
	[ "$(ip netns exec "$cw" ss -Htan state close-wait | wc -l)" = 15 ] && break
	sleep 0.05
done
for split in 1 2; do
	TOP_ENV=PORTSTAT_SPLIT=$split start "split$split" -N "$cw" -i 0.2
	# From the third sample the shares' bounds come from the last
	# sample's sockets, so both shares hold some of them.
	wait_for "split$split" "PORTSTAT_SPLIT=$split: a third sample" has 'sample #([3-9]|[1-9][0-9])'
	wait_for "split$split" "PORTSTAT_SPLIT=$split: the status line" has '^doctor: 2 findings, worst WARNING close-wait :8081 in  sort '
	keys "split$split" D
	cw_ok() {
		has '^WARNING close-wait :8081 in$' && has '^  15 CLOSE_WAIT, more than 10$' &&
			has '^WARNING fin-wait2 peer 127\.0\.0\.1$' && has '^  15 FIN_WAIT2, more than 10$'
	}
	wait_for "split$split" "PORTSTAT_SPLIT=$split: both findings with their counts" cw_ok
	keys "split$split" Escape q
done
echo "ok - PORTSTAT_SPLIT=1 and 2: close-wait 15 and fin-wait2 15 either way"

# --- every namespace: the finding names its namespace ---------------------------
TM_WAIT=600 start all --all-netns -i 1
TM_WAIT=600 wait_for all "the findings of all namespaces" has '^doctor: [0-9]+ findings?, worst '
keys all D
TM_WAIT=600 wait_for all "our namespace's finding" has "^CRITICAL accept-queue listener 127\.0\.0\.1:8080 \(netns $acc\)"
keys all Escape q
echo "ok - --all-netns: the finding says which namespace"

# --- a healthy namespace ---------------------------------------------------------
ps_netns_new healthy
lab "$healthy" healthy 7000 1
start ok -N "$healthy" -i 0.2
wait_for ok "doctor: OK" has '^doctor: OK  sort '
keys ok D
wait_for ok "every check passed" has '^DOCTOR OK: 8 checks passed'
! has '^(CRITICAL|WARNING) ' || ps_fail "a finding on a healthy namespace"
keys ok Escape q
echo "ok - a healthy namespace: doctor: OK"
echo "it_top_doctor: 6 passed, 0 failed"
