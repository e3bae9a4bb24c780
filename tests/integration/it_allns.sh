#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# --all-netns against real namespaces: two named ones and an unnamed one
# held only by a process, each with a known population.  Every one is found
# once, labelled (name, pid:PID/COMM, host), counted exactly (equal to -N on
# the same namespace), in JSON, text, CSV and Prometheus (accepted by
# promtool, with a netns label); run unprivileged, namespaces it may not
# enter are reported and the exit status is 1, while its own is counted.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
ps_require_root
command -v promtool >/dev/null || ps_fail "promtool (package prometheus) not installed"

ps_netns_new nsa
ps_popgen_start "$nsa" --established 30 --close-wait 4 --port-base 24000
ps_netns_new nsb
ps_popgen_start "$nsb" -6 --established 11 --port-base 24100
ps_tmpdir
# An unnamed namespace: only this process holds it.
# Its stdin is a fifo this shell holds open: popgen exits when the test does.
mkfifo "$PS_TMPDIR/anon.in"
exec {anon_in}<>"$PS_TMPDIR/anon.in"
unshare -n sh -c 'ip link set lo up && exec "$0" --established 5 --port-base 24200 --max-hold 120' \
	"$POPGEN" < "$PS_TMPDIR/anon.in" > "$PS_TMPDIR/anon.out" 2>&1 {anon_in}>&- &
anon=$!
PS_POPGEN_PIDS+=("$anon")
for _ in $(seq 300); do grep -q '^ready' "$PS_TMPDIR/anon.out" && break; sleep 0.1; done
grep -q '^ready' "$PS_TMPDIR/anon.out" || ps_fail "unnamed-namespace popgen not ready: $(cat "$PS_TMPDIR/anon.out")"
anon_label="pid:$anon/popgen"

# The host may hold any other namespaces (other users', containers', with
# any names): only ours are counted exactly, the rest must merely not
# break the output.
json=$("$PORTSTAT" --all-netns -f json 2>"$PS_TMPDIR/all.err") ||
	ps_fail "portstat --all-netns failed: $(cat "$PS_TMPDIR/all.err")"
count() { jq --arg ns "$1" '[.namespaces[] | select(.netns == $ns)] | if length == 1 then .[0].sockets else "found \(length) times" end' <<<"$json"; }
[ "$(count "$nsa")" = $((60 + 8 + 2)) ] || ps_fail "$nsa: $(count "$nsa")"
[ "$(count "$nsb")" = $((22 + 1)) ] || ps_fail "$nsb: $(count "$nsb")"
[ "$(count "$anon_label")" = $((10 + 1)) ] || ps_fail "$anon_label: $(count "$anon_label") in $(jq -c '[.namespaces[].netns]' <<<"$json")"
[ "$(jq '[.namespaces[] | select(.netns == "host")] | length' <<<"$json")" = 1 ] || ps_fail "no single host entry"
[ "$(jq -r '.namespaces[0].netns' <<<"$json")" = host ] || ps_fail "host is not first"
# Labels as JSON strings, one a line: a name holding a newline is one line.
ids=$(jq -c '.namespaces[].netns' <<<"$json" | sort | uniq -d)
[ -z "$ids" ] || ps_fail "namespaces listed twice: $ids"
# Same tables as -N on each namespace.
for ns in "$nsa" "$nsb"; do
	a=$(jq -c --arg ns "$ns" '.namespaces[] | select(.netns == $ns) | del(.time)' <<<"$json")
	b=$("$PORTSTAT" -N "$ns" -f json | jq -c '.netns = $ns | del(.time)' --arg ns "$ns")
	[ "$a" = "$b" ] || ps_fail "$ns: --all-netns and -N differ: $a / $b"
done

text=$("$PORTSTAT" --all-netns -p 24001,24002)
grep -qx "# netns: $nsa" <<<"$text" || ps_fail "text lacks the $nsa section"
awk -v ns="# netns: $nsa" '$0 == ns { on = 1; next } /^# netns:/ { on = 0 } on && $1 == "total" { print $NF }' <<<"$text" |
	grep -qx $((60 + 8 + 2)) || ps_fail "text total for $nsa wrong:"$'\n'"$text"

csv=$("$PORTSTAT" --all-netns -f csv -p 24101)
[ "$(grep -c ",$nsb,24101,in," <<<"$csv")" = 1 ] || ps_fail "csv lacks $nsb rows: $csv"
[ "$(head -1 <<<"$csv" | cut -d, -f1-4)" = "time,netns,port,direction" ] || ps_fail "csv header"

prom=$("$PORTSTAT" --all-netns -f prometheus)
promtool check metrics <<<"$prom" || ps_fail "promtool rejects the output"
grep -qx "portstat_tcp_sockets{netns=\"$nsa\",state=\"close_wait\"} 4" <<<"$prom" || ps_fail "prometheus lacks $nsa close_wait 4"
grep -qx "portstat_tcp_port_sockets{netns=\"$anon_label\",port=\"24201\",direction=\"in\",state=\"established\"} 5" <<<"$prom" ||
	ps_fail "prometheus lacks the unnamed namespace's series"
[ "$(grep -c '^# TYPE portstat_tcp_sockets gauge$' <<<"$prom")" = 1 ] || ps_fail "TYPE repeated"

# Unprivileged: other namespaces cannot be entered; said so, exit 1, own one counted.
id nobody >/dev/null 2>&1 || ps_fail "no user nobody for the unprivileged run"
ps_reachable_copy "$PORTSTAT" user_portstat
{
	runuser -u nobody -- "$user_portstat" --all-netns -f json > "$PS_TMPDIR/nobody.json" 2> "$PS_TMPDIR/nobody.err"
	rc=$?
	[ "$rc" = 1 ] || ps_fail "unprivileged --all-netns exit $rc"
	grep -q "^portstat: $nsa: cannot enter network namespace" "$PS_TMPDIR/nobody.err" ||
		ps_fail "no error for $nsa: $(cat "$PS_TMPDIR/nobody.err")"
	jq -e --arg ns "$nsa" '.namespaces[] | select(.netns == $ns) | .error' "$PS_TMPDIR/nobody.json" >/dev/null ||
		ps_fail "JSON lacks the error for $nsa"
	# The host's namespace is unknown without privileges; our own is read
	# (no setns() needed) and comes first, as "self".
	jq -e '.namespaces[0] | .netns == "self" and (.sockets | type) == "number" and (has("error") | not)' \
		"$PS_TMPDIR/nobody.json" >/dev/null ||
		ps_fail "own namespace not read as 'self': $(jq -c '.namespaces[0] | {netns, sockets, error}' "$PS_TMPDIR/nobody.json")"
}
echo "it_allns: 1 passed, 0 failed"
