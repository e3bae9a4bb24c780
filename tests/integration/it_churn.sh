#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Sampling under churn: thousands of connections a second are opened and
# reset next to a stable population while portstat samples repeatedly,
# single and split.  No crash, every sample whole; the stable population is
# never counted more than once (the kernel may repeat a socket across
# datagrams when a bucket changes under a dump: portstat drops repeats by
# cookie) and never loses more than the churn can take from it.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
ps_require_root
[ -n "${CHURN:-}" ] && [ -x "$CHURN" ] || ps_fail "CHURN not built"

STABLE=3000 B=28000
ps_netns_new ns
ps_popgen_start "$ns" --established $STABLE --port-base $B
ps_tmpdir
mkfifo "$PS_TMPDIR/churn.in"
exec {churn_in}<>"$PS_TMPDIR/churn.in"
ip netns exec "$ns" "$CHURN" --port $((B + 500)) --window 300 --seconds 60 \
	< "$PS_TMPDIR/churn.in" > "$PS_TMPDIR/churn.out" 2>&1 {churn_in}>&- &
churn=$!
PS_POPGEN_PIDS+=("$churn")
for _ in $(seq 100); do grep -q ready "$PS_TMPDIR/churn.out" && break; sleep 0.05; done
grep -q ready "$PS_TMPDIR/churn.out" || ps_fail "churn not ready: $(cat "$PS_TMPDIR/churn.out")"

for split in 1 2; do
	out=$PS_TMPDIR/churn-$split.json
	PORTSTAT_SPLIT=$split "$PORTSTAT" -N "$ns" -f json -p $((B + 1)),$((B + 500)) -i 0.05 -c 40 > "$out" ||
		ps_fail "split $split: portstat failed under churn"
	[ "$(wc -l < "$out")" = 40 ] || ps_fail "split $split: $(wc -l < "$out") samples"
	jq -e 'has("complete") | not' "$out" > /dev/null || ps_fail "split $split: a sample was incomplete"
	# The stable rows, per sample: exactly STABLE at most, 97% at least.
	bad=$(jq -r --argjson p $((B + 1)) --argjson n $STABLE '
		[.ports[] | select(.port == $p)] as $r |
		[($r[] | select(.direction == "in") | .states.established // 0),
		 ($r[] | select(.direction == "out") | .states.established // 0)] |
		select(length != 2 or .[0] > $n or .[1] > $n or .[0] < $n * 0.97 or .[1] < $n * 0.97) |
		@text' "$out")
	[ -z "$bad" ] || ps_fail "split $split: stable rows off: $bad"
	exact=$(jq --argjson p $((B + 1)) --argjson n $STABLE \
		'[.ports[] | select(.port == $p and .states.established == $n)] | length == 2' "$out" | grep -c true)
	churned=$(jq --argjson p $((B + 500)) '[.ports[] | select(.port == $p) | .total] | add // 0' "$out" |
		sort -n | tail -1)
	echo "ok: split $split: 40 samples, stable rows exact in $exact, churn port up to $churned sockets"
done
exec {churn_in}>&-
wait "$churn"
rate=$(awk '/^churned/ { printf "%d", $2 / $5 }' "$PS_TMPDIR/churn.out")
echo "churn: $(tail -1 "$PS_TMPDIR/churn.out") (~$rate/s)"
[ "${rate:-0}" -ge 1000 ] || ps_fail "churn too slow to mean anything: $rate/s"
echo "it_churn: 1 passed, 0 failed"
