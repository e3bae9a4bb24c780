#!/bin/bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2119  # ps_popgen_stop without a pid stops the latest popgen
# popgen_selftest.sh - checks popgen alone against ss: for -4, -6 and
# --mapped it builds a small population of every kind in a namespace of its
# own and asserts that ss's per-state counts equal both popgen's ready line
# and the counts computed here by hand from the arguments; then a
# multi-worker population and one failing start.  Exit 0 pass, 1 fail,
# 77 skip (not root / no netns).
set -u
. "$(dirname "$0")/lib.sh"

ps_require_root
command -v jq >/dev/null || ps_fail "jq not found"
if [ -z "${POPGEN:-}" ] || [ ! -x "$POPGEN" ]; then
	ps_fail "POPGEN must point to the popgen binary"
fi

# Compare two "state count" listings; $3 names them in the message.
expect_same() {
	local a=$1 b=$2 what=$3
	if [ "$a" != "$b" ]; then
		echo "--- expected"; echo "$a"; echo "--- got ($what)"; echo "$b"
		ps_fail "$what"
	fi
}

# Every local and peer address must be loopback (or a wildcard).
check_loopback_only() {
	local ns=$1 bad
	bad=$(ip netns exec "$ns" ss -Htan | awk '{
		for (i = 4; i <= 5; i++) {
			a = $i; sub(/:[^:]*$/, "", a)
			if (a !~ /^(127\.[0-9.]+|\[::1\]|\[::ffff:127\.[0-9.]+\]|\*|0\.0\.0\.0|\[::\])$/)
				print $0
		}
	}')
	[ -z "$bad" ] || ps_fail "non-loopback address in $ns: $bad"
}

L=2 E=5 CW=3 FW1=2 LA=2 TW=4 SS=2 SR=3
KINDS=7             # kinds other than --listen with N > 0
by_hand=$(cat <<EOF
listen $((1 + L + KINDS))
established $((2 * E + 2 + FW1 + SR))
syn_sent $SS
syn_recv $SR
fin_wait1 $FW1
fin_wait2 $((CW + LA))
time_wait $TW
close 0
close_wait $CW
last_ack $LA
closing 0
EOF
)
total_by_hand=$(awk '{s += $2} END {print s}' <<<"$by_hand")

for fam in -4 -6 --mapped; do
	ps_netns_new ns
	t0=$(date +%s.%N)
	ps_popgen_start "$ns" "$fam" --listen $L --established $E --close-wait $CW \
		--fin-wait1 $FW1 --last-ack $LA --time-wait $TW --syn-sent $SS --syn-recv $SR
	t1=$(date +%s.%N)
	ready_counts=$(ps_json_counts "$PS_READY")
	expect_same "$by_hand" "$ready_counts" "$fam: ready line vs by hand ($PS_READY)"
	[ "$(jq .total <<<"$PS_READY")" = "$total_by_hand" ] ||
		ps_fail "$fam: ready total $(jq .total <<<"$PS_READY") != $total_by_hand"
	expect_same "$by_hand" "$(ps_ss_counts "$ns")" "$fam: ss counts"
	check_loopback_only "$ns"
	case $fam in
	-6)
		[ "$(ip netns exec "$ns" ss -Htan -4 | wc -l)" = 0 ] || ps_fail "-6: IPv4 sockets seen" ;;
	--mapped)
		# server side: AF_INET6 with v4-mapped addresses; clients: IPv4
		n=$(ip netns exec "$ns" ss -Htan state established "( sport = :20001 )" |
			grep -c '\[::ffff:127\.0\.0\.1\]:20001')
		[ "$n" = "$E" ] || ps_fail "--mapped: $n server sockets on [::ffff:127.0.0.1]:20001, want $E"
		n=$(ip netns exec "$ns" ss -Htan -4 state established "( dport = :20001 )" | wc -l)
		[ "$n" = "$E" ] || ps_fail "--mapped: $n IPv4 client sockets to :20001, want $E" ;;
	esac
	# Deterministic means stable: zero-window probes and SYN retries run
	# on their own timers, so look again a little later.
	sleep 3
	expect_same "$by_hand" "$(ps_ss_counts "$ns")" "$fam: ss counts after 3 s"
	ps_popgen_stop || ps_fail "$fam: popgen exited with status $?"
	[ -s "$PS_POPGEN_ERR" ] && ps_fail "$fam: unexpected stderr: $(cat "$PS_POPGEN_ERR")"
	ps_log "$fam: ok ($(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}') s to ready)"
done

# Several workers: 18000 fds cannot fit in one process of 4000.
ps_netns_new ns
ps_popgen_start "$ns" --established 9000 --max-fds 4000
workers=$(jq .workers <<<"$PS_READY")
[ "$workers" -ge 5 ] || ps_fail "expected >= 5 workers, ready says $workers"
expect_same "$(printf 'established 18000\nlisten 1\n')" \
	"$(ps_ss_counts "$ns" | awk '$2 != 0' | sort)" "multi-worker ss counts"
[ "$(jq .established <<<"$PS_READY")" = 18000 ] || ps_fail "ready: $PS_READY"
[ "$(ip netns exec "$ns" ss -Htan | wc -l)" = 18001 ] || ps_fail "ss -Htan | wc -l"
nproc_seen=0
for pid in "$PS_POPGEN_PID" $(cat /proc/"$PS_POPGEN_PID"/task/*/children 2>/dev/null); do
	nfd=$(find /proc/"$pid"/fd -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
	[ "$nfd" -le 4000 ] || ps_fail "process $pid has $nfd fds (> --max-fds 4000)"
	nproc_seen=$((nproc_seen + 1))
done
[ "$nproc_seen" = $((workers + 1)) ] || ps_fail "saw $nproc_seen processes, want $((workers + 1))"
ps_popgen_stop || ps_fail "multi-worker: popgen exited with status $?"
[ "$(ip netns exec "$ns" ss -Htan state established | wc -l)" = 0 ] ||
	ps_fail "established sockets left after stop"
ps_log "multi-worker: ok ($workers workers)"

# A failing start: a worker finds its extra listener's port taken (base
# 19901 puts it on 20001), so exactly one error line, exit 1, and nothing
# of the failed run (listener on 19901, workers) left behind.
ps_netns_new ns
ps_popgen_start "$ns" --established 3
before=$(ps_ss_counts "$ns")
err=$(ip netns exec "$ns" "$POPGEN" --port-base 19901 --listen 1 --established 2 \
	</dev/null 2>&1 >/dev/null)
rc=$?
[ "$rc" = 1 ] || ps_fail "popgen on a taken port exited $rc, want 1"
if [ "$(wc -l <<<"$err")" != 1 ] || [[ $err != "popgen: bind 127.0.0.1:20001: "* ]]; then
	ps_fail "unexpected error output: $err"
fi
expect_same "$before" "$(ps_ss_counts "$ns")" "sockets after the failed start"
ps_popgen_stop || ps_fail "popgen exited with status $?"
ps_log "failing start: ok ($err)"

echo "popgen_selftest: 1 passed, 0 failed"
