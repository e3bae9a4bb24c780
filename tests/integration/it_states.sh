#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every state portstat can be driven into on loopback, for IPv4, IPv6 and
# IPv4-through-a-dual-stack-IPv6-listener: per-state totals equal the counts
# computed from popgen's arguments AND what ss shows; every (local port,
# state) pair equals ss's; and the service view puts each kind's sockets on
# the rows DESIGN.md promises.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
ps_require_root

# Small, distinct counts so a socket in the wrong state changes a total.
L=2 E=5 CW=3 FW1=2 LA=2 TW=4 SS=2 SR=3
B=20000
ARGS=(--listen $L --established $E --close-wait $CW --fin-wait1 $FW1
      --last-ack $LA --time-wait $TW --syn-sent $SS --syn-recv $SR --port-base $B)

expected_states() {
	jq -cn --argjson L $L --argjson E $E --argjson CW $CW --argjson FW1 $FW1 \
	       --argjson LA $LA --argjson TW $TW --argjson SS $SS --argjson SR $SR '
	{listen: ($L + 8),
	 established: (2*$E + 2 + $FW1 + $SR),
	 syn_sent: $SS, syn_recv: $SR, fin_wait1: $FW1, fin_wait2: ($CW + $LA),
	 time_wait: $TW, close: 0, close_wait: $CW, last_ack: $LA, closing: 0}'
}

# Rows of the service view as "port dir state=count,..." lines, sorted.
expected_rows() {
	{
		echo "$B in listen=1"
		for i in $(seq 0 $((L - 1))); do echo "$((B + 100 + i)) in listen=1"; done
		echo "$((B + 1)) in established=$E,listen=1";  echo "$((B + 1)) out established=$E"
		echo "$((B + 2)) in close_wait=$CW,listen=1";  echo "$((B + 2)) out fin_wait2=$CW"
		echo "$((B + 3)) in established=$FW1,listen=1"; echo "$((B + 3)) out fin_wait1=$FW1"
		echo "$((B + 4)) in last_ack=$LA,listen=1";    echo "$((B + 4)) out fin_wait2=$LA"
		echo "$((B + 5)) in listen=1";                 echo "$((B + 5)) out time_wait=$TW"
		echo "$((B + 6)) in established=1,listen=1";   echo "$((B + 6)) out established=1,syn_sent=$SS"
		echo "$((B + 7)) in listen=1,syn_recv=$SR";    echo "$((B + 7)) out established=$SR"
	} | sort
}

json_rows() {
	jq -r '.ports[] | "\(.port) \(.direction) " +
	       (.states | to_entries | sort_by(.key) | map("\(.key)=\(.value)") | join(","))' | sort
}

for fam in -4 -6 --mapped; do
	ps_netns_new ns
	ps_popgen_start "$ns" "$fam" "${ARGS[@]}"

	want=$(expected_states)
	claimed=$(jq -c 'del(.total, .workers)' <<<"$PS_READY")
	[ "$(jq -S . <<<"$claimed")" = "$(jq -S . <<<"$want")" ] ||
		ps_fail "$fam: popgen built $claimed, test expects $want"

	json=$("$PORTSTAT" -N "$ns" -f json) || ps_fail "$fam: portstat failed"
	got=$(jq -c .states <<<"$json")
	[ "$(jq -S . <<<"$got")" = "$(jq -S . <<<"$want")" ] ||
		ps_fail "$fam: portstat states $got, want $want"
	[ "$(jq .sockets <<<"$json")" = "$(jq '[.[]] | add' <<<"$want")" ] ||
		ps_fail "$fam: sockets $(jq .sockets <<<"$json") != sum of states"

	# The same numbers as ss, state by state.
	ss_json=$(ps_ss_counts "$ns" | jq -Rn '[inputs | split(" ") | {(.[0]): (.[1] | tonumber)}] | add')
	for st in $(jq -r 'keys[]' <<<"$want"); do
		a=$(jq ".$st" <<<"$got"); b=$(jq ".$st // 0" <<<"$ss_json")
		[ "$a" = "$b" ] || ps_fail "$fam: $st: portstat $a, ss $b"
	done

	# Per (local port, state), against ss -tan counted the same way.
	mine=$("$PORTSTAT" -N "$ns" --by local -f csv -H |
	       awk -F, '{ split("listen established syn_sent syn_recv fin_wait1 fin_wait2 time_wait close close_wait last_ack closing", s, " ");
	                  for (i = 5; i <= 15; i++) if ($i > 0) c[$3 " " s[i - 4]] += $i }
	                END { for (k in c) print k, c[k] }' | sort)
	theirs=$(ip netns exec "$ns" ss -Htan |
	       awk '{ st = tolower($1); gsub("-", "_", st);
	              if (st == "estab") st = "established"; if (st == "fin_wait_1") st = "fin_wait1";
	              if (st == "fin_wait_2") st = "fin_wait2";
	              n = split($4, a, ":"); c[a[n] " " st]++ }
	            END { for (k in c) print k, c[k] }' | sort)
	[ "$mine" = "$theirs" ] ||
		ps_fail "$fam: per-port counts differ from ss:"$'\n'"$(diff <(echo "$mine") <(echo "$theirs"))"

	# The service view: every kind on its rows, nothing else.
	rows=$("$PORTSTAT" -N "$ns" -f json | json_rows)
	[ "$rows" = "$(expected_rows)" ] ||
		ps_fail "$fam: service rows differ:"$'\n'"$(diff <(expected_rows) <(echo "$rows"))"

	# Kernel-side state filter: exact counts of the filtered states only.
	cw=$("$PORTSTAT" -N "$ns" -f json -s close-wait,last-ack)
	[ "$(jq -c '[.sockets, .states.close_wait, .states.last_ack, .states.listen]' <<<"$cw")" = "[$((CW + LA)),$CW,$LA,0]" ] ||
		ps_fail "$fam: -s close-wait,last-ack gave $(jq -c .states <<<"$cw")"

	ps_popgen_stop
	echo "ok: $fam"
done
echo "it_states: 3 passed, 0 failed"
