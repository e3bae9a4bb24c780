#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# portstat serve --leaks --all-netns: one leaks model per namespace.  Two
# namespaces of our own each hold a real CLOSE_WAIT leak (leaker.py: a
# server that never closes), A 6 sockets on one port and B 4 on another;
# the exporter (run in A, seeing every namespace) serves exact counts and
# owners under each netns label, each family's TYPE once, promtool clean;
# growth is known from the second scrape on (0 while steady, > 0 once A's
# leak grows); A renamed (same namespace, new label) keeps its model, so
# growth is known at its first scrape under the new label; B's leak ended
# (its server killed) stays exported as 0 while B exists; B deleted drops
# its series without an error counted.  The host may hold other
# namespaces and leaks: -p keeps to our ports, assertions to our labels.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/leaks_lib.sh"
source "$(dirname "$0")/serve_lib.sh"
ps_require_root

PA=47411 PB=47412 NA=6 NB=4
ps_netns_new nsa
ps_netns_new nsb
sv_init "$nsa" 19103
sv_set_trap lk_cleanup

# leak NS PORT N NAME: a leaking server and a client in NS, N sockets
# left in CLOSE_WAIT on the server's side.
leak() {
	lk_server "$1" "$2" leak "$4"
	lk_client "$1"
	[ "$(lk_do open "$2" "$3")" = "opened $3" ] || ps_fail "client open in $1"
	[ "$(lk_do fin)" = "fin $3" ] || ps_fail "client fin in $1"
	lk_wait_ss "$1" "$3" state close-wait "( sport = :$2 )"
}
leak "$nsb" $PB $NB leakb
srv_b=$LK_SRV_PID srv_b_run=${LK_PIDS[-2]} cli_b=${LK_PIDS[-1]}
leak "$nsa" $PA $NA leaka
srv_a=$LK_SRV_PID

# sel NS PORT: the labels of a CLOSE_WAIT group of ours.
sel() { echo "netns=\"$1\",port=\"$2\",direction=\"in\",state=\"close_wait\""; }
# ours BODY: our namespaces' leak series, sorted.
ours() { grep "^portstat_leak_[a-z_]*{netns=\"\\($nsa\\|$nsb\\)\"" <<<"$1" | sort; }
growth() { sed -n "s/^portstat_leak_growth_sockets_per_second{$1} //p" <<<"$2"; }

sv_start --leaks --all-netns -p $PA,$PB --min-interval 0
body=$(sv_metrics) || ps_fail "GET /metrics failed"
sv_has "$body" "portstat_leak_sockets{$(sel "$nsa" $PA)} $NA"
sv_has "$body" "portstat_leak_sockets{$(sel "$nsb" $PB)} $NB"
sv_has "$body" "portstat_leak_process_sockets{$(sel "$nsa" $PA),pid=\"$srv_a\",comm=\"leaka\"} $NA"
sv_has "$body" "portstat_leak_process_sockets{$(sel "$nsb" $PB),pid=\"$srv_b\",comm=\"leakb\"} $NB"
sv_has "$body" "portstat_leak_status{netns=\"$nsa\"} 0"
sv_has "$body" "portstat_leak_sample_complete{netns=\"$nsb\"} 1"
# Exactly these groups, nothing of one namespace under the other's label.
[ "$(grep -c '^portstat_leak_sockets{' <<<"$(ours "$body")")" = 2 ] ||
	ps_fail "our leak groups: $(ours "$body")"
# First sample: no growth known yet.
[ -z "$(growth "$(sel "$nsa" $PA)" "$body")" ] || ps_fail "growth on the first sample"
for f in sockets oldest_seconds growth_sockets_per_second process_sockets status sample_complete; do
	[ "$(grep -c "^# TYPE portstat_leak_$f gauge\$" <<<"$body")" = 1 ] ||
		ps_fail "portstat_leak_$f: not exactly one TYPE line"
done
sv_has "$body" 'portstat_errors_total{kind="leaks"} 0'
sv_promtool "$body" "--leaks --all-netns"
echo "ok: $NA CLOSE_WAIT in $nsa, $NB in $nsb, owners named, promtool clean"

# Second scrape: each model kept, growth known, 0 for steady leaks.
body=$(sv_metrics) || ps_fail "GET /metrics failed"
[ "$(growth "$(sel "$nsa" $PA)" "$body")" = 0 ] || ps_fail "growth in $nsa: $(ours "$body")"
[ "$(growth "$(sel "$nsb" $PB)" "$body")" = 0 ] || ps_fail "growth in $nsb: $(ours "$body")"

# A grows by 6: its growth turns positive (polled: growth is measured
# over time), B's stays 0.
[ "$(lk_do open $PA $NA)" = "opened $((2 * NA))" ] || ps_fail "client open"
[ "$(lk_do fin)" = "fin $((2 * NA))" ] || ps_fail "client fin"
lk_wait_ss "$nsa" $((2 * NA)) state close-wait "( sport = :$PA )"
g=""
for ((i = 0; i < 50; i++)); do
	body=$(sv_metrics) || ps_fail "GET /metrics failed"
	g=$(growth "$(sel "$nsa" $PA)" "$body")
	[ -n "$g" ] && [ "$g" != 0 ] && break
	sleep 0.1
done
sv_has "$body" "portstat_leak_sockets{$(sel "$nsa" $PA)} $((2 * NA))"
awk -v g="$g" 'BEGIN { exit !(g > 0) }' || ps_fail "growth in $nsa: '$g', want > 0"
[ "$(growth "$(sel "$nsb" $PB)" "$body")" = 0 ] || ps_fail "growth in $nsb: $(ours "$body")"
echo "ok: $nsa grew to $((2 * NA)), growth $g/s; $nsb steady at 0"

# A renamed: the same namespace (same nsfs inode) under a new name.  Its
# model is kept by identity, so the first scrape under the new label
# already knows the growth (a new model would not).
ren="$nsa-r"
ip netns attach "$ren" "$srv_a" || ps_fail "ip netns attach $ren"
PS_NETNS_LIST+=("$ren")
ip netns del "$nsa" || ps_fail "ip netns del $nsa"
SV_NS=$ren	# the exporter runs there: scrape it under the new name
body=$(sv_metrics) || ps_fail "GET /metrics failed"
sv_has "$body" "portstat_leak_sockets{$(sel "$ren" $PA)} $((2 * NA))"
[ -n "$(growth "$(sel "$ren" $PA)" "$body")" ] ||
	ps_fail "relabelled $ren lost its growth: $(grep "netns=\"$ren\"" <<<"$body")"
grep -q "netns=\"$nsa\"" <<<"$body" && ps_fail "old label $nsa still served"
nsa=$ren
echo "ok: renamed to $ren, growth still known"

# B's leak ends (its server killed: the kernel closes its sockets): the
# group stays exported, as 0, while B exists.
kill -TERM "$srv_b_run" 2>/dev/null
wait "$srv_b_run" 2>/dev/null
lk_wait_ss "$nsb" 0 state close-wait "( sport = :$PB )"
body=$(sv_metrics) || ps_fail "GET /metrics failed"
sv_has "$body" "portstat_leak_sockets{$(sel "$nsb" $PB)} 0"
grep -q "^portstat_leak_process_sockets{$(sel "$nsb" $PB)" <<<"$body" &&
	ps_fail "an ended group still has owners: $(ours "$body")"
sv_promtool "$body" "--leaks --all-netns, a zero group"
echo "ok: $nsb's ended leak exported as 0"

# B deleted (its client gone first, so nothing holds it): its series go,
# and no error is counted for a namespace that went away.
kill -TERM "$cli_b" 2>/dev/null
wait "$cli_b" 2>/dev/null
ip netns del "$nsb" || ps_fail "ip netns del $nsb"
body=$(sv_metrics) || ps_fail "GET /metrics failed"
grep -q "netns=\"$nsb\"" <<<"$body" && ps_fail "deleted $nsb still served: $(ours "$body")"
sv_has "$body" "portstat_leak_sockets{$(sel "$nsa" $PA)} $((2 * NA))"
sv_has "$body" 'portstat_errors_total{kind="leaks"} 0'
sv_has "$body" 'portstat_errors_total{kind="netns"} 0'
sv_promtool "$body" "--leaks --all-netns, a namespace deleted"
sv_stop
echo "ok: deleted $nsb dropped, no error"
echo "it_serve_leaks_allns: passed"
