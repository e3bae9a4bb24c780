#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# it_top: `portstat top` in a real terminal.  A private tmux server runs the
# dashboard on a namespace holding an exact popgen population; send-keys
# drives it and capture-pane reads the screen.  Checks the counts, the sort
# column's arrow and highlight (colour and NO_COLOR), sorting through the
# columns shown and reversing, mouse clicks (header, row, double click) and
# --no-mouse, the rate column's state and c, the / prompt (empty, Enter
# clears, Esc keeps, a bad list), direction cycling, the detail view, help,
# pause, a resize to 80x24, 60x15 and 40x10 frames with whole columns
# dropped and marked, that q, SIGINT, SIGTERM and SIGHUP exit 0 with the tty
# settings and the main screen restored, the errors without a terminal,
# top --help, and a short valgrind run.  Every wait is a bounded poll of
# the screen.
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

start() {	# start SESSION ARGS...: a pane (TOP_SIZE, default 120x40) running portstat
	local s=$1 size=${TOP_SIZE:-120x40}
	shift
	"${T[@]}" new-session -d -s "$s" -x "${size%x*}" -y "${size#*x}" \
		"env PORTSTAT='$PORTSTAT' LANG=C.UTF-8 TERM=${TOP_TERM:-screen} ${TOP_ENV:-} bash '$D/run.sh' $s $*" ||
		ps_fail "tmux new-session failed"
}
# The table rows (after the PORT header line) as "PORT DIR N N N ... TOTAL",
# up to the TOTAL column (the rate and history after it dropped), one per
# line.
rows() {
	awk '/^PORT +DIR/ { on = 1; for (i = 1; i <= NF; i++) if ($i ~ /^TOTAL/) n = i; next }
	     on && /^[0-9]+ +(in|out) / { s = $1; for (i = 2; i <= n; i++) s = s " " $i; print s }' <<<"$S"
}
# click SESSION X Y [TWICE]: a left click (press and release) at the 0-based
# cell (X, Y), sent as the terminal would (X10 mouse encoding, which ncurses
# asks of TERM=screen); TWICE: a double click.
click() {
	local s=$1 cx cy n=1
	printf -v cx '%x' $(($2 + 33))
	printf -v cy '%x' $(($3 + 33))
	[ "${4:-}" ] && n=2
	for ((; n > 0; n--)); do
		keys "$s" -H 1b 5b 4d 20 "$cx" "$cy" 1b 5b 4d 23 "$cx" "$cy"
	done
}
# The 0-based cell where the header's column named $1 starts.
col_x() {
	local hdr pre
	hdr=$(grep -m1 -E '^PORT +DIR' <<<"$S")
	pre=${hdr%%"$1"*}
	[ "$pre" != "$hdr" ] || ps_fail "no column $1 in: $hdr"
	echo "${#pre}"
}
# The header line with its attributes (capture-pane -e).
hdr_esc() { "${T[@]}" capture-pane -e -p -t "$1" | grep -m1 -E 'PORT +DIR'; }
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
has '^PORT +DIR +LISTEN +ESTAB +FIN-WAIT-2 +TIME-WAIT +CLOSE-WAIT +TOTAL▼ +ΔCLOSE-WAIT/s +HISTORY' ||
	ps_fail "column header (the sort arrow on TOTAL, the rate naming close_wait)"
has "ns $ns " || ps_fail "namespace not in the header"
has 'q quit' || ps_fail "footer"
echo "ok - counts"

# --- the sort column in the header ----------------------------------------
# Colour: its own colour pair (cyan background), no other cell has it.
e=$(hdr_esc main)
grep -qE $'\e\\[46mTOTAL▼' <<<"$e" || ps_fail "sort column not highlighted in colour: $(cat -v <<<"$e")"
[ "$(grep -o $'\e\\[46m' <<<"$e" | wc -l)" = 1 ] || ps_fail "more than one highlighted header cell"
TOP_ENV=NO_COLOR=1 start mono -N "$ns" -i 0.2
wait_for mono "the first sample (NO_COLOR)" has 'sockets 96 '
wait_for mono "the arrow (NO_COLOR)" has 'TOTAL▼ +ΔCLOSE-WAIT/s'
e=$(hdr_esc mono)
! grep -qE $'\e\\[([0-9;]*;)?[34][0-7]m' <<<"$e" || ps_fail "NO_COLOR: a colour in the header: $(cat -v <<<"$e")"
grep -qE $'\e\\[([0-9;]*;)?7m(\e\\[[0-9;]*m)*TOTAL▼' <<<"$e" || ps_fail "NO_COLOR: sort column not in reverse video: $(cat -v <<<"$e")"
keys mono r
wait_for mono "the arrow turned (NO_COLOR)" has 'TOTAL▲'
keys mono q
wait_exit mono
echo "ok - sort column: arrow, colour and NO_COLOR"

# --- sorting: through the columns shown only --------------------------------
# PORT LISTEN ESTAB FIN-WAIT-2 TIME-WAIT CLOSE-WAIT TOTAL; no stop at a
# state without a column (syn_sent, closing...).
for k in port listen established fin_wait2 time_wait close_wait total; do
	keys main s
	wait_for main "s: sort $k next" has "sort $k (desc|asc)"
	# The status line and the arrow agree: ports ascend, counts descend.
	if [ "$k" = port ]; then has 'sort port asc' && has '^PORT▲ ' || ps_fail "port: not ascending"; fi
done
for _ in 1 2 3 4 5 6; do keys main s; done
wait_for main "sort close_wait" has 'sort close_wait desc'
wait_for main "the arrow on CLOSE-WAIT" has 'CLOSE-WAIT▼ TOTAL '
wait_for main "close_wait order" rows_are "$P2 in 1 0 0 0 7 8|$P1 in 1 40 0 0 0 41|$P1 out 0 40 0 0 0 40|$P2 out 0 0 7 0 0 7"
keys main r
wait_for main "reversed order" rows_are "$P2 out 0 0 7 0 0 7|$P1 out 0 40 0 0 0 40|$P1 in 1 40 0 0 0 41|$P2 in 1 0 0 0 7 8"
keys main r '<' '<'
wait_for main "sort fin_wait2" has 'sort fin_wait2 desc'
wait_for main "fin_wait2 order" rows_are "$P2 out 0 0 7 0 0 7|$P1 in 1 40 0 0 0 41|$P1 out 0 40 0 0 0 40|$P2 in 1 0 0 0 7 8"
for _ in 1 2 3; do keys main '>'; done
wait_for main "sort total again" has 'sort total desc'
wait_for main "total order" rows_are "$ALL"
echo "ok - sorting"

# --- mouse -----------------------------------------------------------------
S=$(screen main)
click main $(($(col_x CLOSE-WAIT) + 3)) 4
wait_for main "a click on CLOSE-WAIT sorts by it" has 'sort close_wait desc'
wait_for main "clicked order" rows_are "$P2 in 1 0 0 0 7 8|$P1 in 1 40 0 0 0 41|$P1 out 0 40 0 0 0 40|$P2 out 0 0 7 0 0 7"
click main $(($(col_x CLOSE-WAIT) + 3)) 4
wait_for main "a second click reverses" has 'sort close_wait asc'
S=$(screen main)
click main $(($(col_x TOTAL) + 1)) 4
wait_for main "a click on TOTAL" has 'sort total desc'
wait_for main "total order after clicks" rows_are "$ALL"
# A click on the third row selects it (reverse video on that line only).
click main 2 7
sel_line() { "${T[@]}" capture-pane -e -p -t main | grep -nE $'\e\\[[0-9;]*7m *[0-9]+ +(in|out) ' | cut -d: -f1; }
for ((i = 0; i < 50; i++)); do [ "$(sel_line)" = 8 ] && break; sleep 0.1; done
[ "$(sel_line)" = 8 ] || ps_fail "the clicked row is not selected (line $(sel_line))"
# A double click opens its detail: the third row is $P2 in.
click main 2 7 twice
wait_for main "a double click opens the detail" has "PORT $P2 in: detail"
keys main Escape
wait_for main "back from the clicked detail" rows_are "$ALL"
# --no-mouse: the terminal keeps the mouse (for selecting text): top never
# asks for mouse reports, which the dashboard above did.
mouse_on() { "${T[@]}" display -p -t "$1" '#{mouse_any_flag}#{mouse_standard_flag}#{mouse_button_flag}'; }
[ "$(mouse_on main)" != 000 ] || ps_fail "top did not ask the terminal for mouse reports"
start nomouse -N "$ns" -i 0.2 --no-mouse
wait_for nomouse "the dashboard (--no-mouse)" has 'sockets 96 '
[ "$(mouse_on nomouse)" = 000 ] || ps_fail "--no-mouse: mouse reports asked for ($(mouse_on nomouse))"
keys nomouse q
wait_exit nomouse
echo "ok - mouse: header sorts and reverses, a row selects, a double click opens; --no-mouse"

# --- the rate column names its state ----------------------------------------
keys main c
wait_for main "c: the rate of the total" has 'TOTAL▼ +ΔTOTAL/s '
keys main c
wait_for main "c: the rate of listen" has ' ΔLISTEN/s '
has 'sort total desc' || ps_fail "c changed the sort"
for _ in 1 2 3 4; do keys main c; done
wait_for main "c: back to close_wait" has 'ΔCLOSE-WAIT/s'
TOP_ENV= start onestate -N "$ns" -i 0.2 -s ESTAB
wait_for onestate "-s ESTAB: the rate of established" has '^PORT +DIR +ESTAB +TOTAL▼ +ΔESTAB/s'
keys onestate q
wait_exit onestate
# Independent of the sort: sorted by established, a row whose CLOSE-WAIT
# grows shows it (CHG/s used to follow the sort and said 0 here).  In a
# namespace of its own, a popgen started while the dashboard runs adds the
# row; its first sample shows the growth for one interval (2 s), polled.
ps_netns_new ns3
start grow -N "$ns3" -i 2 --sort ESTAB
wait_for grow "sorted by established" has 'sort established desc'
has 'ΔCLOSE-WAIT/s' || ps_fail "the rate is not close_wait's"
PC=$((B + 102))
ps_popgen_start "$ns3" -4 --close-wait 2 --port-base $((B + 100))
TM_WAIT=300 wait_for grow "the growing CLOSE-WAIT row's rate" has "^$PC +in .* \+[0-9]+(\.[0-9])? "
has 'sort established desc' || ps_fail "the sort changed"
keys grow q
wait_exit grow
echo "ok - rate column: its state in the header, c, the filter's state, whatever the sort"

# --- filter ----------------------------------------------------------------
keys main /
wait_for main "an empty prompt, no filter as its hint" has '^filter ports: +\(now none; Enter: no filter, Esc: keep\)'
keys main "$P2" Enter
wait_for main "filter $P2" has "filter $P2( |$)"
wait_for main "filtered rows" rows_are "$P2 in 1 0 0 0 7 8|$P2 out 0 0 7 0 0 7"
# The prompt opens empty, the filter in force as its hint.
keys main /
wait_for main "the hint" has "^filter ports: +\(now $P2; Enter: clear, Esc: keep\)"
keys main "$P1,70000" Enter
wait_for main "the bad filter's message" has '70000'
has '^filter ports' || ps_fail "a bad filter closed the prompt"
keys main Escape
wait_for main "Esc keeps the filter" has "filter $P2( |$)"
rows_are "$P2 in 1 0 0 0 7 8|$P2 out 0 0 7 0 0 7" || ps_fail "Esc changed the rows"
keys main / Enter
wait_for main "/ Enter clears" has 'filter none'
wait_for main "all rows back" rows_are "$ALL"
echo "ok - filter prompt: empty with a hint, Enter on empty clears, Esc keeps"

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
# Recv-Q is unread bytes, as leaks counts them: ss shows 1 per CLOSE-WAIT
# socket (the peer's FIN takes a sequence number), none of it data.
ssq=$(ip netns exec "$ns" ss -Htn state close-wait "( sport = :$P2 )" | awk '{ s += $1; n++ } END { print s - n }')
[ "$ssq" = 0 ] || ps_fail "ss: $ssq unread bytes on $P2, the test wants none"
has 'Recv-Q 0 unread  Send-Q [0-9]+' || ps_fail "queue sums (Recv-Q as unread bytes, not the FINs)"
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
# Whole columns drop (HISTORY narrows first) and the header says how many:
# the rows' cells then need not add up to TOTAL.
fits() {
	[ "$(wc -l <<<"$S")" = 24 ] &&
		[ "$(LC_ALL=C.UTF-8 wc -L <<<"$S")" -le 80 ] &&
		[ "$(sed -n 24p <<<"$S" | cut -c1-6)" = "q quit" ] &&
		has '^PORT +DIR .*TOTAL▼ .* \+[0-9]+ cols?$' && [ "$(rows | wc -l)" = 4 ]
}
wait_for main "an 80x24 frame" fits
# Nothing left over from the wider frame: blank from the rows to the footer.
[ "$(sed -n '10,23p' <<<"$S" | tr -d ' \n')" = "" ] || ps_fail "garbage below the rows"
[ "$(grep -c '^PORT ' <<<"$S")" = 1 ] || ps_fail "stale header"
printf '%s\n' "$S" >"$D/screen-80x24.txt"
echo "ok - resize"

# --- narrow: 60x15 and 40x10 ------------------------------------------------
# Usable: whole columns (PORT, DIR, CLOSE-WAIT, TOTAL stay), the number
# dropped said, nothing wider than the screen, header items and keys whole.
for size in 60x15 40x10; do
	w=${size%x*} h=${size#*x}
	TOP_SIZE=$size start "n$w" -N "$ns" -i 0.2
	narrow_ok() {
		[ "$(wc -l <<<"$S")" = "$h" ] && [ "$(LC_ALL=C.UTF-8 wc -L <<<"$S")" -le "$w" ] &&
			has '^PORT +DIR .*CLOSE-WAIT +TOTAL▼' && has '\+[0-9]+ cols' &&
			[ "$(rows | wc -l)" = 4 ]
	}
	wait_for "n$w" "a usable $size frame" narrow_ok
	# Each row: port, dir, the shown states, TOTAL; the close-wait count
	# and the total of every row are right even with columns dropped.
	[ "$(rows | awk '{ print $1, $2, $(NF - 1), $NF }' | paste -sd'|')" = \
	  "$P1 in 0 41|$P1 out 0 40|$P2 in 7 8|$P2 out 0 7" ] || ps_fail "$size rows: $(rows | paste -sd'|')"
	# Whole words: the key bar ends with a whole key, the title line
	# with a whole item.
	last=$(sed -n "${h}p" <<<"$S" | sed 's/ *$//')
	grep -qE '(quit|help|detail|doctor|filter|sort|rev|rate|dir|pause|intvl)$' <<<"$last" ||
		ps_fail "$size: key bar cut mid-word: '$last'"
	first=$(sed -n 1p <<<"$S" | sed 's/ *$//')
	grep -qE '(portstat|sockets [0-9]+|ns [^ ]+|every [0-9.]+m?s|ms)$' <<<"$first" ||
		ps_fail "$size: title line cut mid-item: '$first'"
	printf '%s\n' "$S" >"$D/screen-$size.txt"
	keys "n$w" q
	wait_exit "n$w"
done
echo "ok - 60x15 and 40x10: whole columns, '+N cols', whole words"

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
		"valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=9 --suppressions='$PS_VG_SUPP' --log-file='$D/vg.log' '$PORTSTAT' top -N '$ns' -i 0.1" \
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

# --- SERVICE: names from /etc/services, none with -n -----------------------
# Another namespace with connections on 8080 (http-alt in Debian's netbase;
# the name is whatever getservbyport says here).
svc=$(getent services 8080/tcp | awk '{ print $1 }')
if [ -n "$svc" ]; then
	ps_netns_new ns2
	ps_popgen_start "$ns2" -4 --established 3 --port-base 8079
	start svc -N "$ns2" -i 0.2
	wait_for svc "SERVICE with $svc on 8080" has "^8080 +in +$svc +1 +3 "
	has '^PORT +DIR +SERVICE +LISTEN' || ps_fail "no SERVICE header"
	# The client side is ephemeral: no name, even where one exists.
	has "^8080 +out +$svc " || ps_fail "8080 out (the service's port, seen from clients)"
	keys svc q
	wait_exit svc
	start svcn -N "$ns2" -i 0.2 -n
	wait_for svcn "-n: no SERVICE" has '^8080 +in +1 +3 '
	! has 'SERVICE' || ps_fail "-n: a SERVICE column"
	keys svcn q
	wait_exit svcn
	echo "ok - SERVICE column ($svc), -n hides it"
else
	echo "ok - SERVICE skipped: no name for 8080 here"
fi

# --- top --help: top's own options ------------------------------------------
"$PORTSTAT" top --help >"$D/top-help" || ps_fail "top --help failed"
grep -q '^Usage: portstat top' "$D/top-help" || ps_fail "top --help: $(head -1 "$D/top-help")"
grep -q -- '--no-mouse' "$D/top-help" || ps_fail "top --help lacks --no-mouse"
! grep -qE -- '--format|--record|--write' "$D/top-help" || ps_fail "top --help lists options top refuses"
echo "ok - top --help"

cat "$D/detail.txt" "$D/screen-80x24.txt" "$D/screen-60x15.txt" "$D/screen-40x10.txt"
ps_popgen_stop
echo "it_top: 17 passed, 0 failed"
