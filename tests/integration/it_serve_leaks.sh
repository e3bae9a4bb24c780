#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# portstat serve --leaks, scraped with curl inside a private namespace that
# holds a known CLOSE_WAIT leak (leaker.py: a server that never closes):
# portstat_leak_sockets is exact for the leak's port, the owner is named
# (pid and comm), promtool accepts the body, one TYPE line per family, a
# leak that grows between scrapes shows a positive growth (polled,
# bounded) and a steady one exactly 0, no leaks error is counted, and -s
# picks the leak states.  Run as nobody it serves the same counts with
# the owner it may not read as pid 0, comm "?".
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/leaks_lib.sh"
source "$(dirname "$0")/serve_lib.sh"
ps_require_root

ps_netns_new ns
sv_init "$ns" 19102
sv_set_trap lk_cleanup

lk_server "$ns" 8081 leak leakysrv
lk_client "$ns"
[ "$(lk_do open 8081 10)" = "opened 10" ] || ps_fail "client open"
[ "$(lk_do fin)" = "fin 10" ] || ps_fail "client fin"
lk_wait_ss "$ns" 10 state close-wait '( sport = :8081 )'

sel='port="8081",direction="in",state="close_wait"'
sv_start --leaks --min-interval 0
body=$(sv_metrics) || ps_fail "GET /metrics failed"
sv_has "$body" "portstat_leak_sockets{$sel} 10"
sv_has "$body" "portstat_leak_process_sockets{$sel,pid=\"$LK_SRV_PID\",comm=\"leakysrv\"} 10"
sv_has "$body" 'portstat_leak_status 0'
sv_has "$body" 'portstat_leak_sample_complete 1'
sv_has "$body" 'portstat_errors_total{kind="leaks"} 0'
# The port metrics are still there, and count the same sockets.
sv_has "$body" "portstat_tcp_port_sockets{$sel} 10"
# One HELP and TYPE per family.
for f in sockets oldest_seconds growth_sockets_per_second process_sockets status sample_complete; do
	[ "$(grep -c "^# TYPE portstat_leak_$f gauge\$" <<<"$body")" = 1 ] ||
		ps_fail "portstat_leak_$f: not exactly one TYPE line"
done
sv_promtool "$body" --leaks
echo "ok: 10 CLOSE_WAIT on :8081 held by leakysrv[$LK_SRV_PID], promtool clean"

# Growing: 10 more leaked sockets; the model kept since the first scrape
# sees the count go 10 -> 20 over time, so the growth is positive.
[ "$(lk_do open 8081 10)" = "opened 20" ] || ps_fail "client open"
[ "$(lk_do fin)" = "fin 20" ] || ps_fail "client fin"
lk_wait_ss "$ns" 20 state close-wait '( sport = :8081 )'
growth=""
for ((i = 0; i < 50; i++)); do
	body=$(sv_metrics) || ps_fail "GET /metrics failed"
	growth=$(sed -n "s/^portstat_leak_growth_sockets_per_second{$sel} //p" <<<"$body")
	[ -n "$growth" ] && break
	sleep 0.1
done
sv_has "$body" "portstat_leak_sockets{$sel} 20"
[ -n "$growth" ] || ps_fail "no growth series after 50 scrapes: $(grep '^portstat_leak' <<<"$body")"
awk -v g="$growth" 'BEGIN { exit !(g > 0) }' || ps_fail "growth $growth, want > 0"
sv_has "$body" 'portstat_errors_total{kind="leaks"} 0'
samples=$(sed -n 's/^portstat_samples_total //p' <<<"$body")
echo "ok: grown to 20, growth $growth/s after $samples samples"
sv_stop

# Unprivileged: the same count; root's server is not nobody's to read, so
# its sockets are pid 0, comm "?"; nothing said on stderr, no error.
if id nobody >/dev/null 2>&1; then
	sv_start -u nobody --leaks --min-interval 0
	body=$(sv_metrics) || ps_fail "GET /metrics as nobody failed"
	sv_has "$body" "portstat_leak_sockets{$sel} 20"
	sv_has "$body" "portstat_leak_process_sockets{$sel,pid=\"0\",comm=\"?\"} 20"
	sv_has "$body" 'portstat_errors_total{kind="leaks"} 0'
	sv_stop
	echo "ok: nobody serves 20 with owner \"?\""
else
	ps_log "no user nobody: unprivileged run not tested"
fi

# -s picks the leak states: fin-wait-2 serves the client's half-closed
# ends (the peer port, outbound) and no CLOSE_WAIT group.
sv_start --leaks -s fin-wait-2 --min-interval 0
body=$(sv_metrics) || ps_fail "GET /metrics failed"
sv_has "$body" 'portstat_leak_sockets{port="8081",direction="out",state="fin_wait2"} 20'
[ "$(grep -c '^portstat_leak_sockets{' <<<"$body")" = 1 ] ||
	ps_fail "-s fin-wait-2: $(grep '^portstat_leak_sockets' <<<"$body")"
sv_has "$body" 'portstat_leak_status 0'
# A leak that does not grow: exactly 0 once there is a second sample.
fw='port="8081",direction="out",state="fin_wait2"'
growth=""
for ((i = 0; i < 50; i++)); do
	sleep 0.1
	body=$(sv_metrics) || ps_fail "GET /metrics failed"
	growth=$(sed -n "s/^portstat_leak_growth_sockets_per_second{$fw} //p" <<<"$body")
	[ -n "$growth" ] && break
done
[ "$growth" = 0 ] || ps_fail "steady leak: growth '$growth', want 0"
sv_stop
echo "ok: -s fin-wait-2 serves 20 outbound, growth 0"
echo "it_serve_leaks: passed"
