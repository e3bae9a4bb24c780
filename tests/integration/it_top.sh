#!/usr/bin/env bash
# it_top: `portstat top` in a real terminal.  A private tmux server runs the
# dashboard on a namespace holding an exact popgen population; send-keys
# drives it and capture-pane reads the screen.  Checks the counts, sorting
# and reversing, the port filter (and a bad one), direction cycling, the
# detail view, help, pause, a resize to 80x24, that q, SIGINT, SIGTERM and
# SIGHUP exit 0 with the tty settings and the main screen restored, the
# errors without a terminal, and a short valgrind run.  Every wait is a bounded poll of the screen.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tmux_lib.sh"
ps_require_root
command -v tmux >/dev/null || { echo "SKIP: tmux not installed" >&2; exit 77; }

B=23000
ps_netns_new ns
ps_popgen_start "$ns" -4 --established 40 --close-wait 7 --port-base $B
tm_init
D=$PS_TMPDIR

# run.sh TAG ARGS...: run portstat in the pane, recording its pid, exit
# status and the tty settings before and after; then keep the pane.
cat >"$D/run.sh" <<'EOF'
tag=$1; shift
cd "$(dirname "$0")" || exit 1
stty -g >"$tag.before"
bash -c 'echo $$ >"$0.pid"; exec "$@" 2>"$0.err"' "$tag" "$PORTSTAT" top "$@"
echo $? >"$tag.rc.tmp"
stty -g >"$tag.after"
mv "$tag.rc.tmp" "$tag.rc"
exec sleep 600
EOF

start() {	# start SESSION ARGS...: a 120x40 pane running portstat
	local s=$1
	shift
	"${T[@]}" new-session -d -s "$s" -x 120 -y 40 \
		"env PORTSTAT='$PORTSTAT' LANG=C.UTF-8 TERM=${TOP_TERM:-screen} bash '$D/run.sh' $s $*" ||
		ps_fail "tmux new-session failed"
}
# The table rows (after the PORT header line) as "PORT DIR N N N ... TOTAL",
# dropping the rate and history columns, one per line.
rows() {
	awk '/^PORT +DIR/ { on = 1; n = NF - 2; next }
	     on && /^[0-9]+ +(in|out) / { s = $1; for (i = 2; i <= n; i++) s = s " " $i; print s }' <<<"$S"
}
rows_are() { [ "$(rows | paste -sd'|')" = "$1" ]; }
sample_no() { grep -oE '#[0-9]+' <<<"$S" | head -1 | tr -d '#'; }
wait_exit() {	# wait_exit TAG: the run ended with status 0 and a sane tty
	local tag=$1 i
	for ((i = 0; i < 100; i++)); do
		[ -f "$D/$tag.rc" ] && break
		sleep 0.1
	done
	[ -f "$D/$tag.rc" ] || ps_fail "$tag: portstat did not exit"
	[ "$(cat "$D/$tag.rc")" = 0 ] || ps_fail "$tag: exit status $(cat "$D/$tag.rc"): $(cat "$D/$tag.err")"
	[ "$(cat "$D/$tag.before")" = "$(cat "$D/$tag.after")" ] ||
		ps_fail "$tag: tty settings not restored"
	[ "$("${T[@]}" display -p -t "$tag" '#{alternate_on}')" = 0 ] ||
		ps_fail "$tag: still on the alternate screen"
	S=$(screen "$tag")
	! has 'sockets 96' || ps_fail "$tag: dashboard left on the screen"
}

P1=$((B + 1)) P2=$((B + 2))
ALL="$P1 in 1 40 0 0 0 41|$P1 out 0 40 0 0 0 40|$P2 in 1 0 0 0 7 8|$P2 out 0 0 7 0 0 7"

# --- counts, at 120x40 ----------------------------------------------------
start main -N "$ns" -i 0.2
wait_for main "the first sample" has 'sockets 96 '
wait_for main "the rows" rows_are "$ALL"
has '^LISTEN 2  ESTAB 80  FIN-WAIT-2 7  TIME-WAIT 0  CLOSE-WAIT 7' || ps_fail "state totals line"
has '^PORT +DIR +LISTEN +ESTAB +FIN-WAIT-2 +TIME-WAIT +CLOSE-WAIT +TOTAL +CHG/s +HISTORY' ||
	ps_fail "column header"
has "ns $ns " || ps_fail "namespace not in the header"
has 'q quit' || ps_fail "footer"
echo "ok - counts"

# --- sorting ---------------------------------------------------------------
for _ in 1 2 3 4 5 6 7 8 9; do keys main s; done
wait_for main "sort close_wait" has 'sort close_wait desc'
wait_for main "close_wait order" rows_are "$P2 in 1 0 0 0 7 8|$P1 in 1 40 0 0 0 41|$P1 out 0 40 0 0 0 40|$P2 out 0 0 7 0 0 7"
keys main r
wait_for main "reversed order" rows_are "$P2 out 0 0 7 0 0 7|$P1 out 0 40 0 0 0 40|$P1 in 1 40 0 0 0 41|$P2 in 1 0 0 0 7 8"
keys main r '<' '<' '<'
wait_for main "sort fin_wait2" has 'sort fin_wait2 desc'
wait_for main "fin_wait2 order" rows_are "$P2 out 0 0 7 0 0 7|$P1 in 1 40 0 0 0 41|$P1 out 0 40 0 0 0 40|$P2 in 1 0 0 0 7 8"
for _ in 1 2 3 4 5 6 7; do keys main '>'; done
wait_for main "sort total again" has 'sort total desc'
wait_for main "total order" rows_are "$ALL"
echo "ok - sorting"

# --- filter ----------------------------------------------------------------
keys main / "$P2" Enter
wait_for main "filter $P2" has "filter $P2( |$)"
wait_for main "filtered rows" rows_are "$P2 in 1 0 0 0 7 8|$P2 out 0 0 7 0 0 7"
keys main / ,70000 Enter
wait_for main "the bad filter's message" has '70000'
has 'filter ports' || ps_fail "a bad filter closed the prompt"
keys main Escape
wait_for main "the prompt closed" has "filter $P2( |$)"
keys main / BSpace BSpace BSpace BSpace BSpace Enter
wait_for main "no filter" has 'filter none'
wait_for main "all rows back" rows_are "$ALL"
echo "ok - filter"

# --- direction -------------------------------------------------------------
keys main d
wait_for main "dir in" has 'dir in '
wait_for main "inbound rows" rows_are "$P1 in 1 40 0 0 0 41|$P2 in 1 0 0 0 7 8"
keys main d
wait_for main "dir out" has 'dir out '
wait_for main "outbound rows" rows_are "$P1 out 0 40 0 0 0 40|$P2 out 0 0 7 0 0 7"
keys main d
wait_for main "dir both" has 'dir both '
wait_for main "both directions" rows_are "$ALL"
echo "ok - direction"

# --- detail ----------------------------------------------------------------
keys main Down Down Enter
wait_for main "the detail of $P2 in" has "PORT $P2 in: detail"
has 'sockets by state:  LISTEN 1  CLOSE-WAIT 7  TOTAL 8' || ps_fail "detail states"
wait_for main "the peers" has '^127\.0\.0\.1 +7 +CLOSE-WAIT 7$'
has '^peers: 1$' || ps_fail "peer count"
has 'Recv-Q [0-9]+  Send-Q [0-9]+' || ps_fail "queue sums"
# Owners: popgen holds every socket of the row (its server sockets may be
# spread over worker processes, so the rows named popgen are summed).
wait_for main "the owners" has '^ +PID +COMM +SOCKETS'
popgen_sockets() {
	awk '$1 ~ /^[0-9]+$/ && $2 == "popgen" { n += $3 } END { print n + 0 }' <<<"$S"
}
printf '%s\n' "$S" >"$D/detail.txt"
has '^processes: [0-9]+, holding 8 of 8 sockets$' || ps_fail "processes line"
[ "$(popgen_sockets)" = 8 ] || ps_fail "popgen holds $(popgen_sockets) sockets, not 8 (7 CLOSE-WAIT + 1 LISTEN)"
# ... in the cgroup it was started in (this shell's).
home=$(sed -n 's/^0:://p' /proc/self/cgroup)
if [ -n "$home" ]; then
	cg=$(awk '$1 ~ /^[0-9]+$/ && $2 == "popgen" { print $4 }' <<<"$S" | sort -u)
	[ "$cg" = "$home" ] || ps_fail "popgen's CGROUP column: '$cg', want $home"
fi
! has '^ +\? +\? ' || ps_fail "owners not found ('?')"
keys main Escape
wait_for main "back to the list" rows_are "$ALL"
keys main h
wait_for main "help" has '^KEYS'
has 'reverse the order' || ps_fail "help lists the keys"
keys main h
wait_for main "back from help" rows_are "$ALL"
echo "ok - detail and help"

# --- pause -----------------------------------------------------------------
keys main p
wait_for main "paused" has 'PAUSED'
n=$(sample_no)
# Proving that nothing happens takes time: 1.5 s is 7 intervals.
sleep 1.5
S=$(screen main)
[ "$(sample_no)" = "$n" ] || ps_fail "sampled while paused ($n -> $(sample_no))"
keys main p
resumed() { ! has PAUSED && [ "$(sample_no)" -gt "$n" ]; }
wait_for main "sampling to resume" resumed
echo "ok - pause"

# --- resize to 80x24 -------------------------------------------------------
"${T[@]}" resize-window -t main -x 80 -y 24 || ps_fail "tmux resize-window failed"
fits() {
	[ "$(wc -l <<<"$S")" = 24 ] &&
		[ "$(LC_ALL=C.UTF-8 wc -L <<<"$S")" -le 80 ] &&
		[ "$(sed -n 24p <<<"$S" | cut -c1-6)" = "q quit" ] && rows_are "$ALL"
}
wait_for main "an 80x24 frame" fits
# Nothing left over from the wider frame: blank from the rows to the footer.
[ "$(sed -n '10,23p' <<<"$S" | tr -d ' \n')" = "" ] || ps_fail "garbage below the rows"
[ "$(grep -c HISTORY <<<"$S")" = 1 ] || ps_fail "stale header"
printf '%s\n' "$S" >"$D/screen-80x24.txt"
echo "ok - resize"

# --- quit ------------------------------------------------------------------
keys main q
wait_exit main
echo "ok - q exits 0, terminal restored"

# --- signals ---------------------------------------------------------------
for sig in INT TERM HUP; do
	start "s$sig" -N "$ns" -i 0.2
	wait_for "s$sig" "the dashboard ($sig)" has 'sockets 96 '
	if [ "$sig" = INT ]; then
		keys "s$sig" C-c	# through the tty, as a user would
	else
		kill -"$sig" "$(cat "$D/s$sig.pid")"
	fi
	wait_exit "s$sig"
done
echo "ok - SIGINT, SIGTERM, SIGHUP restore the terminal"

# --- no terminal -----------------------------------------------------------
err=$("$PORTSTAT" top -N "$ns" </dev/null 2>&1 >/dev/null)
rc=$?
[ "$rc" = 1 ] || ps_fail "top without a terminal exited $rc"
grep -q "portstat report" <<<"$err" || ps_fail "no hint to 'portstat report': $err"
TOP_TERM=no-such-terminal start badterm -N "$ns"
for ((i = 0; i < 100; i++)); do [ -f "$D/badterm.rc" ] && break; sleep 0.1; done
[ "$(cat "$D/badterm.rc" 2>/dev/null)" = 1 ] || ps_fail "unknown TERM: status $(cat "$D/badterm.rc" 2>/dev/null)"
grep -q "unknown terminal type 'no-such-terminal'.*portstat report" "$D/badterm.err" ||
	ps_fail "unknown TERM message: $(cat "$D/badterm.err")"
echo "ok - errors without a usable terminal"

# --- valgrind: a short run with the detail open leaks nothing definite ----
# grep reads all of ldd's output: with -q an early exit could SIGPIPE ldd,
# and pipefail would then take a sanitizer build for a plain one.
if command -v valgrind >/dev/null && ! ldd "$PORTSTAT" | grep libasan >/dev/null; then
	printf '%s\n' \
		"valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=9 --log-file='$D/vg.log' '$PORTSTAT' top -N '$ns' -i 0.1" \
		"echo \$? >'$D/vg.rc'" 'exec sleep 600' >"$D/vg.sh"
	"${T[@]}" new-session -d -s vg -x 120 -y 40 "env LANG=C.UTF-8 TERM=screen bash '$D/vg.sh'"
	TM_WAIT=600 wait_for vg "the dashboard under valgrind" has 'sockets 96 '
	keys vg Enter
	# The detail drawn, owners included, before q: its code ran under valgrind.
	TM_WAIT=600 wait_for vg "the detail under valgrind" has 'PORT [0-9]+ (in|out): detail'
	TM_WAIT=600 wait_for vg "the owners under valgrind" has '^processes: '
	keys vg q
	tm_valgrind_ok "$D" 600
else
	echo "ok - valgrind skipped (not installed, or a sanitizer build)"
fi

cat "$D/detail.txt" "$D/screen-80x24.txt"
ps_popgen_stop
echo "it_top: 10 passed, 0 failed"
