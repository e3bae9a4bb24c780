#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A sample split into parallel kernel-filtered dumps (PORTSTAT_SPLIT=N)
# gives exactly the table of a single dump, for every share count, family,
# filter and --by; and the counts are the population's, so no socket is
# lost between shares or counted in two.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
ps_require_root

B=23000
ps_netns_new ns4
ps_popgen_start "$ns4" -4 --established 3000 --close-wait 700 --time-wait 300 \
	--listen 3 --src-addrs 3 --port-base $B
ps_netns_new ns6
ps_popgen_start "$ns6" --mapped --established 1500 --close-wait 200 --port-base $B
ps_popgen_start "$ns6" -6 --established 1000 --last-ack 20 --port-base $((B + 50))

check() {	# NS EXPECTED-SOCKETS ARGS...
	local ns=$1 want=$2 single n got
	shift 2
	single=$(PORTSTAT_SPLIT=1 "$PORTSTAT" -N "$ns" -f json "$@" | jq -c 'del(.time)') ||
		ps_fail "single dump failed: $*"
	if [ -n "$want" ]; then
		[ "$(jq .sockets <<<"$single")" = "$want" ] ||
			ps_fail "$ns $*: single dump counts $(jq .sockets <<<"$single"), want $want"
	fi
	for n in 2 3 5 8; do
		got=$(PORTSTAT_SPLIT=$n "$PORTSTAT" -N "$ns" -f json "$@" | jq -c 'del(.time)') ||
			ps_fail "split $n failed: $*"
		[ "$got" = "$single" ] ||
			ps_fail "$ns $* split $n differs:"$'\n'"$(diff <(jq . <<<"$single") <(jq . <<<"$got"))"
	done
}

tw=300
check "$ns4" $((6000 + 1400 + tw + 4 + 3))
check "$ns4" "" -s close-wait
check "$ns4" "" -s connected --by local
check "$ns4" "" -p $((B + 2)) --by remote
check "$ns4" "" -s listening
check "$ns6" $((3000 + 400 + 2 + 2000 + 40 + 2))
check "$ns6" "" -4
check "$ns6" "" -6 --sort port
check "$ns6" "" -s last-ack,fin-wait-2

# Repeated samples let the shares rebalance from the last sample's ports:
# every sample of the run must still be the single dump's table.
single=$(PORTSTAT_SPLIT=1 "$PORTSTAT" -N "$ns4" -f json -s established | jq -c .ports)
PORTSTAT_SPLIT=4 "$PORTSTAT" -N "$ns4" -f json -s established -c 3 -i 0.05 |
	jq -c .ports | while read -r line; do
		[ "$line" = "$single" ] || { echo "FAIL: rebalanced sample differs"; exit 1; }
	done || ps_fail "rebalanced samples differ"

# doctor splits its sample as the report does, one model per share merged
# into the first: the same findings and numbers as one dump, the CLOSE_WAIT
# leak classified inbound by the listener (which every share needs), its
# owner named, and the leak's mirror seen as a FIN_WAIT2 pile.
doc1=$(PORTSTAT_SPLIT=1 "$PORTSTAT" doctor -N "$ns4" -f json | jq -c 'del(.time)')
[ "$(jq -r '.findings[] | select(.check == "close-wait") |
	"\(.where) \(.value) \(.owners[0].comm) \(.owners[0].count)"' <<<"$doc1")" = \
	":$((B + 2)) in 700 popgen 700" ] || ps_fail "doctor: no CLOSE_WAIT finding: $doc1"
[ "$(jq -r '.findings[] | select(.check == "fin-wait2") | .value' <<<"$doc1")" = 700 ] ||
	ps_fail "doctor: no FIN_WAIT2 finding: $doc1"
for n in 2 5; do
	got=$(PORTSTAT_SPLIT=$n "$PORTSTAT" doctor -N "$ns4" -f json | jq -c 'del(.time)')
	[ "$got" = "$doc1" ] ||
		ps_fail "doctor split $n differs:"$'\n'"$(diff <(jq . <<<"$doc1") <(jq . <<<"$got"))"
done
# The shares' models are reused from sample to sample: each forgets the
# last (samples after the first also carry the counters' growth).
doc1=$(PORTSTAT_SPLIT=1 "$PORTSTAT" doctor -N "$ns4" -f json -c 3 -i 0.05 | jq -c 'del(.time)')
got=$(PORTSTAT_SPLIT=3 "$PORTSTAT" doctor -N "$ns4" -f json -c 3 -i 0.05 | jq -c 'del(.time)')
[ "$(wc -l <<<"$doc1")" = 3 ] || ps_fail "doctor -c 3 gave not 3 samples: $doc1"
[ "$got" = "$doc1" ] ||
	ps_fail "repeated split doctor samples differ:"$'\n'"$(diff <(echo "$doc1") <(echo "$got"))"
# An invalid PORTSTAT_SPLIT is a usage error of doctor too (plugin UNKNOWN).
out=$(PORTSTAT_SPLIT=9 "$PORTSTAT" doctor -N "$ns4" 2>&1)
rc=$?
[ $rc = 3 ] && grep -q "invalid PORTSTAT_SPLIT '9'" <<<"$out" ||
	ps_fail "doctor with PORTSTAT_SPLIT=9: status $rc, output: $out"
echo "it_split: 1 passed, 0 failed"
