#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 100,000+ sockets spread over several processes (one process may hold only
# ~20k files): portstat counts them exactly, equal to ss, per state and on
# the service rows.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
ps_require_root

N=${PS_POPULATION_PAIRS:-50000}
CW=${PS_POPULATION_CW:-2000}
B=21000
ps_netns_new ns
start=$(date +%s.%N)
ps_popgen_start "$ns" -4 --established "$N" --close-wait "$CW" --src-addrs 4 --port-base $B
built=$(date +%s.%N)

t0=$(date +%s.%N)
json=$("$PORTSTAT" -N "$ns" -f json) || ps_fail "portstat failed"
t1=$(date +%s.%N)
total=$((2 * N + 2 * CW + 2))
[ "$(jq .sockets <<<"$json")" = "$total" ] || ps_fail "sockets $(jq .sockets <<<"$json"), want $total"
want="{\"listen\":2,\"established\":$((2 * N)),\"close_wait\":$CW,\"fin_wait2\":$CW}"
got=$(jq -c '.states | with_entries(select(.value > 0))' <<<"$json")
[ "$(jq -S . <<<"$got")" = "$(jq -S . <<<"$want")" ] || ps_fail "states $got, want $want"
rows=$(jq -c '[.ports[] | [.port, .direction, .total]]' <<<"$json")
[ "$rows" = "[[$((B + 1)),\"in\",$((N + 1))],[$((B + 1)),\"out\",$N],[$((B + 2)),\"in\",$((CW + 1))],[$((B + 2)),\"out\",$CW]]" ] ||
	ps_fail "rows $rows"
ss_total=$(ip netns exec "$ns" ss -Htan | wc -l)
[ "$ss_total" = "$total" ] || ps_fail "ss counts $ss_total, portstat $total"
workers=$(jq .workers <<<"$PS_READY")
[ "$workers" -ge 2 ] || ps_fail "population was not spread over processes ($workers)"

awk -v n="$total" -v w="$workers" -v b="$(awk "BEGIN{print $built - $start}")" \
    -v p="$(awk "BEGIN{print $t1 - $t0}")" -v s="$ss_total" \
    'BEGIN { printf "population: %d sockets over %d processes, built in %.1f s; portstat %.3f s; ss counted %d\n", n, w, b, p, s }'
ps_popgen_stop
echo "it_population: 1 passed, 0 failed"
