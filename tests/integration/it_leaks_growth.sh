#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# -i follows the leak as it grows: while portstat samples every second the
# test adds 10 CLOSE_WAIT sockets right after each sample, so the counts
# are exactly 0, 10, 20, ... and the growth is 600/min; a leak that stops
# growing shows exactly 0/min; the verdict carries the growth.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/leaks_lib.sh"
ps_require_root

ps_netns_new ns
lk_set_trap
lk_server "$ns" 8081 leak leakysrv
lk_client "$ns"
ps_tmpdir
out="$PS_TMPDIR/grow.json"
"$PORTSTAT" leaks -N "$ns" -i 1 -c 6 -f json > "$out" &
ps_pid=$!
total=0
for k in 1 2 3 4 5; do
	# After sample k is written, before sample k+1 (1 s later) starts.
	for ((i = 0; i < 100; i++)); do
		[ "$(wc -l < "$out")" -ge "$k" ] && break
		sleep 0.02
	done
	[ "$(wc -l < "$out")" = "$k" ] || ps_fail "sample $k not written in time ($(wc -l < "$out") lines)"
	total=$((total + 10))
	[ "$(lk_do open 8081 10)" = "opened $total" ] || ps_fail "client open"
	[ "$(lk_do fin)" = "fin $total" ] || ps_fail "client fin"
done
wait "$ps_pid" || ps_fail "leaks -i exit $?"
counts=$(jq -s -c '[.[] | .groups[0].count // 0]' "$out")
[ "$counts" = "[0,10,20,30,40,50]" ] || ps_fail "counts $counts, want [0,10,20,30,40,50]"
growth=$(jq -s -c '[.[1:][] | .groups[0].growth_per_min]' "$out")
ps_log "growth per sample: $growth"
jq -e 'all(.[]; . != null and . >= 540 and . <= 660)' <<<"$growth" >/dev/null ||
	ps_fail "growth $growth, want 600/min (+-10 %)"
echo "ok: counts $counts, growth $growth"

# Stable: exactly 0/min after the first sample (which has no history).
"$PORTSTAT" leaks -N "$ns" -i 0.5 -c 3 -f json > "$out" || ps_fail "leaks -i failed"
[ "$(jq -s -c '[.[] | .groups[0].growth_per_min]' "$out")" = "[null,0,0]" ] ||
	ps_fail "stable growth: $(jq -s -c '[.[] | .groups[0].growth_per_min]' "$out")"
# Text: the verdict of each sample carries it.
"$PORTSTAT" leaks -N "$ns" -i 0.5 -c 2 > "$out" || ps_fail "leaks -i text failed"
grep -Eq "^OK: 50 CLOSE_WAIT on :8081 held by leakysrv\\[[0-9]+\\], \\+0/min, oldest [0-9]+s \\| 'close_wait'=50;;;0 'oldest_close_wait'=[0-9]+s;;;0$" "$out" ||
	ps_fail "text: $(cat "$out")"
echo "it_leaks_growth: passed"
