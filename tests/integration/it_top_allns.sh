#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# it_top_allns: `portstat top --all-netns` in a real terminal.  Two
# namespaces of our own hold distinct popgen populations sharing one port;
# a private tmux server runs the dashboard, send-keys drives it and
# capture-pane reads the screen.  Checks the NETNS column with both labels
# and their exact counts, the namespace count in the header, the detail of
# one namespace's row (its own peers and processes), then 'n': the column
# goes and the shared port's rows merge into their sum, and back; a short
# valgrind run with a namespace's detail open; run unprivileged, the namespaces it may not enter are counted on the status
# line while it keeps running.  Other
# namespaces of the host (its own, other tests') may show too: only our
# rows are asserted exactly.  Every wait is a bounded poll of the screen.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tmux_lib.sh"
ps_require_root
command -v tmux >/dev/null || { echo "SKIP: tmux not installed" >&2; exit 77; }

# A base of our own: another run of this test (another checkout, on a
# shared host) holds its own namespaces' rows on its ports, and the merged
# row sums whichever namespaces hold a port.
B=$((20000 + ($$ % 1000) * 8))
P1=$((B + 1)) P2=$((B + 2))
ps_netns_new nsa
ps_popgen_start "$nsa" -4 --established 12 --close-wait 3 --port-base $B
ps_netns_new nsb
ps_popgen_start "$nsb" -4 --established 5 --port-base $B
tm_init
D=$PS_TMPDIR
# Every sample dumps each namespace, which costs more on a busy host.
TM_WAIT=600

# The pane runs portstat, records its exit status, then stays.
cat >"$D/run.sh" <<'EOF'
cd "$(dirname "$0")" || exit 1
"$PORTSTAT" top "$@" 2>top.err
echo $? >top.rc.tmp
mv top.rc.tmp top.rc
exec sleep 600
EOF
"${T[@]}" new-session -d -s main -x 160 -y 40 \
	"env PORTSTAT='$PORTSTAT' LANG=C.UTF-8 TERM=screen bash '$D/run.sh' --all-netns -p $P1,$P2 -i 0.5" ||
	ps_fail "tmux new-session failed"
# The table's rows as "NETNS PORT DIR LISTEN ESTAB CLOSE-WAIT TOTAL" ("-"
# for NETNS when the column is hidden), cut at the header's column
# positions: right-aligned numbers end where their header ends (TOTAL's,
# the sort column, one cell later: its arrow), and a
# label with spaces (a process's comm) stays one field.
rows() {
	LC_ALL=C awk '
	function end(name) { return index(hdr, name) + length(name) - 1 }
	function num(line, name,   s) { s = substr(line, 1, end(name) + (name == "TOTAL")); sub(/.* /, "", s); return s }
	/^(NETNS +)?PORT +DIR / {
		# The sort arrow is one cell and three bytes: one byte here.
		hdr = $0; gsub(/\342\226[\262\274]/, "v", hdr)
		on = 1; pcol = index(hdr, "PORT"); dcol = index(hdr, "DIR"); next
	}
	on && length($0) > dcol {
		ns = substr($0, 1, pcol - 1); gsub(/^ +| +$/, "", ns)
		port = substr($0, pcol, dcol - pcol); gsub(/ /, "", port)
		dir = substr($0, dcol, 3); gsub(/ /, "", dir)
		if (port !~ /^[0-9]+$/) next
		print (pcol > 1 ? ns : "-"), port, dir, num($0, "LISTEN"), num($0, "ESTAB"),
		      num($0, "CLOSE-WAIT"), num($0, "TOTAL")
	}' <<<"$S"
}
row_is() { rows | grep -xF -- "$1" >/dev/null; }
all_rows_are() {	# the rows of our namespaces, in screen order
	[ "$(rows | grep -E "^($nsa|$nsb) " | paste -sd'|')" = "$1" ]
}
# The merged row of PORT DIR as rows() prints it: every column summed over
# the split rows of that port and direction, whichever namespace.
merged_of() {
	rows | awk -v p="$1" -v d="$2" '$2 == p && $3 == d { l += $4; e += $5; c += $6; t += $7 }
		END { print "-", p, d, l + 0, e + 0, c + 0, t + 0 }'
}

# --- a row per namespace ---------------------------------------------------
# nsa: $P1 in LISTEN 1 ESTAB 12, out ESTAB 12; $P2 in LISTEN 1 CLOSE-WAIT 3,
# out FIN-WAIT-2 3.  nsb: $P1 in LISTEN 1 ESTAB 5, out ESTAB 5.
A1i="$nsa $P1 in 1 12 0 13" A1o="$nsa $P1 out 0 12 0 12"
A2i="$nsa $P2 in 1 0 3 4" A2o="$nsa $P2 out 0 0 0 3"
B1i="$nsb $P1 in 1 5 0 6" B1o="$nsb $P1 out 0 5 0 5"
split_ok() {
	has '^NETNS +PORT +DIR +LISTEN +ESTAB .* TOTAL▼ +ΔCLOSE-WAIT/s +HISTORY' &&
		all_rows_are "$A1i|$A1o|$B1i|$B1o|$A2i|$A2o"
}
wait_for main "both namespaces' rows" split_ok
has 'netns split' || ps_fail "status line lacks 'netns split'"
nns=$(grep -oE 'ns all \([0-9]+\)' <<<"$S" | grep -oE '[0-9]+')
[ -n "$nns" ] && [ "$nns" -ge 3 ] || ps_fail "header does not count the namespaces (host + 2): ${nns:-none}"
has '(^| )n netns( |$)' || ps_fail "footer lacks the n key"
M1i=$(merged_of "$P1" in) M1o=$(merged_of "$P1" out)
# Ours alone are 13 + 6 inbound and 12 + 5 outbound.
[ "${M1i##* }" -ge 19 ] && [ "${M1o##* }" -ge 17 ] || ps_fail "split rows of $P1 sum to: $M1i / $M1o"
printf '%s\n' "$S" >"$D/split.txt"
echo "ok - a row per namespace, labelled, exact counts"

# --- detail of one namespace's row -----------------------------------------
# Our nsb row of $P1 in, by its place on screen.
keys main / "$P1" Enter d
wait_for main "the $P1 inbound rows" has "filter $P1  dir in( |$)"
wait_for main "nsb's row" row_is "$B1i"
idx=$(rows | grep -nxF -- "$B1i" | cut -d: -f1)
keys main Home
for ((i = 1; i < idx; i++)); do keys main Down; done
keys main Enter
wait_for main "the detail of $nsb $P1 in" has "^NETNS $nsb PORT $P1 in: detail"
has "sockets by state:  LISTEN 1  ESTAB 5  TOTAL 6" || ps_fail "detail states"
# nsb's peers only: 5 connections from 127.0.0.1, not nsa's 12.
wait_for main "nsb's peers" has '^127\.0\.0\.1 +5 +ESTAB 5$'
has '^processes: [0-9]+, holding 6 of 6 sockets$' || ps_fail "nsb's owners: $(grep processes <<<"$S")"
printf '%s\n' "$S" >"$D/detail.txt"
keys main Escape / BSpace BSpace BSpace BSpace BSpace Enter d d
wait_for main "the list again" split_ok
echo "ok - the detail of a namespace's row reads that namespace"

# --- n: merged --------------------------------------------------------------
keys main n
merged_ok() {
	has 'netns merged' && has '^PORT +DIR +LISTEN' && ! has '^NETNS' &&
		! has "^($nsa|$nsb) " && row_is "- $P2 in 1 0 3 4" &&
		rows | grep -E "^- $P1 in [0-9]+ [0-9]+ [0-9]+ [0-9]+$" >/dev/null
}
wait_for main "merged rows" merged_ok
# The shared port: one row each way, the sum of its per-namespace rows
# (ours: LISTEN 1 + 1, ESTAB 12 + 5, TOTAL 13 + 6 inbound; a foreign row of
# that port, if any, was in the sum too).
row_is "$M1i" || ps_fail "merged $P1 in is not '$M1i': $(rows | grep " $P1 in ")"
row_is "$M1o" || ps_fail "merged $P1 out is not '$M1o': $(rows | grep " $P1 out ")"
[ "$(rows | grep -c "^- $P1 in ")" = 1 ] || ps_fail "$P1 in shows more than once when merged"
printf '%s\n' "$S" >"$D/merged.txt"
keys main Enter
wait_for main "the merged row's detail" has 'per namespace only'
keys main Escape n
wait_for main "rows split again" split_ok
echo "ok - n merges the namespaces ($M1i) and splits them again"

keys main q
for ((i = 0; i < 600; i++)); do [ -f "$D/top.rc" ] && break; sleep 0.1; done
[ "$(cat "$D/top.rc" 2>/dev/null)" = 0 ] || ps_fail "exit status $(cat "$D/top.rc" 2>/dev/null): $(cat "$D/top.err")"
echo "ok - q exits 0"

# --- valgrind: a short run with a namespace's detail open leaks nothing -----
if command -v valgrind >/dev/null && ! ldd "$PORTSTAT" | grep libasan >/dev/null; then
	"${T[@]}" new-session -d -s vg -x 160 -y 40 \
		"env LANG=C.UTF-8 TERM=screen valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=9 --suppressions='$PS_VG_SUPP' --log-file='$D/vg.log' '$PORTSTAT' top --all-netns -p $P1 -i 0.2; echo \$? >'$D/vg.rc'; exec sleep 600" ||
		ps_fail "tmux new-session failed"
	# Slow under valgrind: up to 120 s a step.  The detail must really be
	# drawn (owners included) before q, so its code ran under valgrind.
	TM_WAIT=1200 wait_for vg "valgrind's rows" has "^$nsa +$P1 +in "
	keys vg Enter
	TM_WAIT=1200 wait_for vg "valgrind's detail" has "^NETNS .* detail"
	TM_WAIT=1200 wait_for vg "valgrind's detail owners" has '^processes: '
	keys vg q
	tm_valgrind_ok "$D" 1200
else
	echo "ok - valgrind skipped (not installed, or a sanitizer build)"
fi

# --- unprivileged: namespaces it may not enter are counted, not fatal -------
if id nobody >/dev/null 2>&1; then
	# The build tree may be where nobody cannot enter: run a copy.
	ps_reachable_copy "$PORTSTAT" user_portstat
	"${T[@]}" new-session -d -s nobody -x 160 -y 40 \
		"runuser -u nobody -- env LANG=C.UTF-8 TERM=screen '$user_portstat' top --all-netns -p $P1 -i 0.5; echo \$? >'$D/nobody.rc'; exec sleep 600" ||
		ps_fail "tmux new-session failed"
	unreadable() {
		S=$("${T[@]}" capture-pane -p -t nobody)
		grep -qE 'netns split  sample #[0-9]+  [0-9]+ unreadable: .*(cannot enter|[Pp]ermission|[Oo]peration not permitted)' <<<"$S" &&
			grep -qE 'ns all \([0-9]+\)' <<<"$S"
	}
	for ((i = 0; i < 600; i++)); do unreadable && break; sleep 0.1; done
	unreadable || { printf '%s\n' "$S" >&2; ps_fail "unprivileged: no count of unreadable namespaces"; }
	"${T[@]}" send-keys -t nobody q
	for ((i = 0; i < 600; i++)); do [ -f "$D/nobody.rc" ] && break; sleep 0.1; done
	[ "$(cat "$D/nobody.rc" 2>/dev/null)" = 0 ] || ps_fail "unprivileged: exit status $(cat "$D/nobody.rc" 2>/dev/null)"
	echo "ok - unprivileged: $(grep -oE '[0-9]+ unreadable' <<<"$S"), still running"
else
	ps_fail "no user nobody for the unprivileged run"
fi

cat "$D/split.txt" "$D/detail.txt" "$D/merged.txt"
echo "it_top_allns: 6 passed, 0 failed"
