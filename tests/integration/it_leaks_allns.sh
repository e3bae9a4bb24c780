#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# portstat leaks --all-netns, run from the host, finds a leak inside a
# namespace: a server that never closes (leakysrv) holding LEAKS CLOSE_WAIT
# sockets in namespace A, next to an empty namespace B; and, in namespace
# C, popgen's CW on another port, whose owner the same (shared) /proc scan
# finds.  Exact counts, the
# owner found from the host's /proc, the namespace label in text, JSON and
# CSV, and the verdict over every namespace.  The host may hold other
# namespaces and leaks of its own: -p keeps to our (unusual) port and the
# assertions to our namespaces' labels.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/leaks_lib.sh"
ps_require_root

LEAKS=6 PORT=47311
ps_netns_new nsa
ps_netns_new nsb
ps_netns_new nsc
lk_set_trap
CW=5 CPORT=47352	# popgen's close-wait port: its base + 2
ps_popgen_start "$nsc" --close-wait $CW --port-base 47350
lk_server "$nsa" $PORT leak leakysrv
leaky=$LK_SRV_PID
lk_client "$nsa"
[ "$(lk_do open $PORT $LEAKS 10)" = "opened $LEAKS" ] || ps_fail "client open"
[ "$(lk_do fin)" = "fin $LEAKS" ] || ps_fail "client fin"
lk_wait_ss "$nsa" $LEAKS state close-wait "( sport = :$PORT )"

# JSON: the "namespaces" form, with one verdict on top.
json=$("$PORTSTAT" leaks --all-netns -p $PORT --warn 5 -f json 2>"$PS_TMPDIR/err"); rc=$?
[ "$rc" = 1 ] || ps_fail "--all-netns --warn 5: exit $rc, want 1 (WARNING): $(cat "$PS_TMPDIR/err")"
[ "$(jq -r '.status' <<<"$json")" = warning ] || ps_fail "top status: $json"
jq -e 'has("version") and has("time") and has("verdict") and (.namespaces | type == "array")' \
	<<<"$json" >/dev/null || ps_fail "not the namespaces form: $json"
want=$(jq -cn --arg ns "$nsa" --argjson n $LEAKS --argjson pid "$leaky" --argjson port $PORT '
	{netns: $ns, status: "warning", sockets: $n,
	 groups: [{port: $port, direction: "in", state: "close_wait", count: $n,
		   processes: [{pid: $pid, comm: "leakysrv", count: $n}]}]}')
got=$(jq -c --arg ns "$nsa" '.namespaces[] | select(.netns == $ns) |
	{netns, status, sockets, groups: [.groups[] | {port, direction, state, count,
		processes: [.processes[] | {pid, comm, count}]}]}' <<<"$json")
[ "$got" = "$want" ] || ps_fail "namespace A: $got"$'\n'"want         $want"
got=$(jq -c --arg ns "$nsb" '[.namespaces[] | select(.netns == $ns) | {status, sockets, n: (.groups | length)}]' <<<"$json")
[ "$got" = '[{"status":"ok","sockets":0,"n":0}]' ] || ps_fail "namespace B: $got"
both=$("$PORTSTAT" leaks --all-netns -p $PORT,$CPORT -f json 2>"$PS_TMPDIR/err")
got=$(jq -c --arg a "$nsa" --arg c "$nsc" '[.namespaces[] | select(.netns == $a or .netns == $c) |
	[.netns, (.groups[] | .port, .count, [.processes[] | .comm, .count])]]' <<<"$both")
[ "$got" = "[[\"$nsa\",$PORT,$LEAKS,[\"leakysrv\",$LEAKS]],[\"$nsc\",$CPORT,$CW,[\"popgen\",$CW]]]" ] ||
	ps_fail "owners in two namespaces: $got"
v=$(jq -r .verdict <<<"$json")
[ "$v" = "WARNING: $LEAKS CLOSE_WAIT on :$PORT held by leakysrv[$leaky], oldest ${v##*oldest }" ] ||
	[[ $v == "WARNING: $LEAKS CLOSE_WAIT on :$PORT held by leakysrv[$leaky]"*"(netns $nsa)" ]] ||
	ps_fail "verdict: $v"

# Text: the verdict first, then one "# netns:" section per namespace.
text=$("$PORTSTAT" leaks --all-netns -p $PORT --warn 5 --crit 5 2>/dev/null); rc=$?
[ "$rc" = 2 ] || ps_fail "--crit 5: exit $rc, want 2"
first=$(head -1 <<<"$text")
# The status line's perfdata sums every namespace read: ours, and whatever
# else this host holds on that port (-p), so only its form is checked.
[[ $first == "CRITICAL: $LEAKS CLOSE_WAIT on :$PORT held by leakysrv[$leaky]"*"(netns $nsa) | 'close_wait'="*";5;5;0 'oldest_close_wait'="*"s;;;0" ]] ||
	ps_fail "first line: $first"
sec=$(awk -v ns="# netns: $nsa" '$0 == ns { on = 1; next } /^# netns: / { on = 0 } on' <<<"$text")
grep -Eq "^$PORT +in +CLOSE-WAIT +$LEAKS +.*leakysrv\[$leaky\]" <<<"$sec" ||
	ps_fail "no row in the section of $nsa:"$'\n'"$text"
sec=$(awk -v ns="# netns: $nsb" '$0 == ns { on = 1; next } /^# netns: / { on = 0 } on' <<<"$text")
[ "$sec" = "OK: no CLOSE_WAIT sockets" ] || ps_fail "section of $nsb: $sec"

# CSV: one header, the netns column filled.
csv=$("$PORTSTAT" leaks --all-netns -p $PORT -f csv 2>/dev/null); rc=$?
[ "$rc" = 0 ] || ps_fail "csv: exit $rc"
[ "$(grep -c '^time,netns,' <<<"$csv")" = 1 ] || ps_fail "csv headers: $csv"
grep -q "^[^,]*,$nsa,$PORT,in,close_wait,$LEAKS,[0-9]*,[0-9]*,,$leaky,leakysrv,$LEAKS\$" <<<"$csv" ||
	ps_fail "csv row: $csv"

# Prometheus: each family once, every namespace's series labelled with it;
# promtool accepts it whatever else this host holds.
prom=$("$PORTSTAT" leaks --all-netns -p $PORT -f prometheus 2>/dev/null); rc=$?
[ "$rc" = 0 ] || ps_fail "prometheus: exit $rc"
[ "$(grep -c '^# TYPE portstat_leak_sockets ' <<<"$prom")" = 1 ] || ps_fail "prometheus: TYPE lines: $prom"
grep -qxF "portstat_leak_sockets{netns=\"$nsa\",port=\"$PORT\",direction=\"in\",state=\"close_wait\"} $LEAKS" <<<"$prom" ||
	ps_fail "prometheus: no series of $nsa: $prom"
if command -v promtool >/dev/null; then
	promtool check metrics <<<"$prom" >/dev/null 2>&1 || ps_fail "promtool: $(promtool check metrics <<<"$prom" 2>&1)"
fi

# --write: the same output, one whole file (verdict first).
"$PORTSTAT" leaks --all-netns -p $PORT --warn 5 --write "$PS_TMPDIR/out.txt" 2>/dev/null; rc=$?
[ "$rc" = 1 ] || ps_fail "--write: exit $rc, want 1"
[[ $(head -1 "$PS_TMPDIR/out.txt") == "WARNING: $LEAKS CLOSE_WAIT on :$PORT held by leakysrv[$leaky]"*"(netns $nsa) | "* ]] ||
	ps_fail "--write file: $(head -3 "$PS_TMPDIR/out.txt")"

# --by process over all namespaces: the owner row in its namespace.
got=$("$PORTSTAT" leaks --all-netns -p $PORT --by process -f json 2>/dev/null |
	jq -c --arg ns "$nsa" '.namespaces[] | select(.netns == $ns) | [.by, (.owners[] | .pid, .count)]')
[ "$got" = "[\"process\",$leaky,$LEAKS]" ] || ps_fail "--all-netns --by process: $got"

# Sampling twice follows each namespace's sockets: growth is known (0).
json=$("$PORTSTAT" leaks --all-netns -p $PORT -c 2 -i 0.2 -f json 2>/dev/null | tail -1)
got=$(jq -r --arg ns "$nsa" '.namespaces[] | select(.netns == $ns) | .groups[0].growth_per_min' <<<"$json")
[ "$got" = 0 ] || ps_fail "growth over two samples: '$got': $json"

# With no port of ours leaking, the verdict is OK over all namespaces.
first=$("$PORTSTAT" leaks --all-netns -p 1 2>/dev/null | head -1); rc=${PIPESTATUS[0]}
[[ $rc = 0 && $first == "OK: no CLOSE_WAIT sockets in "*" network namespaces | 'close_wait'=0;;;0 'oldest_close_wait'=0s;;;0" ]] ||
	ps_fail "-p 1: exit $rc, '$first'"
# Without privileges our namespaces cannot be entered: each is a note and
# an error object, and the verdict comes from what could be read (the
# caller's own namespace), not UNKNOWN.
ps_reachable_copy "$PORTSTAT" user_portstat
json=$(runuser -u nobody -- "$user_portstat" leaks --all-netns -p $PORT --warn 5 -f json \
	2>"$PS_TMPDIR/user.err"); rc=$?
[ "$rc" = 0 ] || ps_fail "as nobody: exit $rc, want 0: $(cat "$PS_TMPDIR/user.err")"
grep -Fq "portstat: note: $nsa not read: cannot enter network namespace" "$PS_TMPDIR/user.err" ||
	ps_fail "as nobody, no note on $nsa: $(cat "$PS_TMPDIR/user.err")"
got=$(jq -c --arg ns "$nsa" '[.status, ([.namespaces[] | select(.netns == $ns) | has("error")])]' <<<"$json")
[ "$got" = '["ok",[true]]' ] || ps_fail "as nobody: $got: $json"
echo "it_leaks_allns: ok"
