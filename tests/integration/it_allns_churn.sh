#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# --all-netns while namespaces come and go: background loops add and delete
# named namespaces (pstest-$$-churn-*) as fast as 'ip netns' can, so some
# are listed and then gone, or caught between 'ip netns del' unmounting the
# namespace and unlinking its file (an empty plain file for a moment).
# Every run must exit 0, print valid JSON, and say nothing about our
# namespaces but "vanished during the scan" notes.  A plain file left in
# /run/netns (a name whose 'ip netns add' never mounted) is skipped quietly.
# Only what this test made is checked: the host may hold other namespaces.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
ps_require_root

PREFIX=pstest-$$-churn
CHURN_PIDS=()
cleanup() {
	local p i
	for p in "${CHURN_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	CHURN_PIDS=()
	for i in 0 1 2 3 4 5 6 7; do
		ip netns del "$PREFIX-$i" 2>/dev/null
	done
	rm -f "/run/netns/$PREFIX-plain"
	ps_cleanup
}
ps_netns_new ns	# one steady namespace of ours, always there
ps_tmpdir
trap cleanup EXIT
trap 'cleanup; trap - EXIT; exit 130' INT
trap 'cleanup; trap - EXIT; exit 143' TERM

# A name whose namespace was never mounted: a plain file, as 'ip netns add'
# leaves it for a moment (or for good, if it was killed then).
mkdir -p /run/netns
: >"/run/netns/$PREFIX-plain" || ps_fail "cannot create /run/netns/$PREFIX-plain"

# churn K: add and delete namespace K, 400 times at most, 20 s at most.
churn() {
	local k=$1 i end=$((SECONDS + 20))
	for ((i = 0; i < 400 && SECONDS < end; i++)); do
		ip netns add "$PREFIX-$k" 2>/dev/null
		ip netns del "$PREFIX-$k" 2>/dev/null
	done
}
for k in 0 1 2 3; do
	churn "$k" &
	CHURN_PIDS+=("$!")
done

runs=0 notes=0
out=$PS_TMPDIR/out err=$PS_TMPDIR/err
for ((r = 0; r < 60; r++)); do
	"$PORTSTAT" --all-netns -f json >"$out" 2>"$err"
	rc=$?
	runs=$((runs + 1))
	jq -e . "$out" >/dev/null || ps_fail "run $r: invalid JSON: $(head -c 300 "$out")"
	# Our steady namespace is always there, whole.
	[ "$(jq "[.namespaces[] | select(.netns == \"$ns\" and (has(\"error\") | not))] | length" "$out")" = 1 ] ||
		ps_fail "run $r: $ns missing: $(jq -c '[.namespaces[].netns]' "$out")"
	# Nothing of ours is an error object.
	bad=$(jq -c "[.namespaces[] | select(has(\"error\") and (.netns | startswith(\"$PREFIX\")))]" "$out")
	[ "$bad" = "[]" ] || ps_fail "run $r: errors in the output: $bad"
	jq -e "[.namespaces[] | select(.netns == \"$PREFIX-plain\")] | length == 0" "$out" >/dev/null ||
		ps_fail "run $r: the plain file was sampled as a namespace"
	others=0
	while IFS= read -r line; do
		if [[ "$line" =~ ^portstat:\ note:\ network\ namespace\ $PREFIX-[0-9]\ vanished\ during\ the\ scan$ ]]; then
			notes=$((notes + 1))
		elif [[ "$line" == *"$PREFIX"* || "$line" == *"$ns"* ]]; then
			ps_fail "run $r: about our namespaces: $line"
		else
			others=$((others + 1))	# the host's own namespaces: not ours to judge
		fi
	done <"$err"
	[ "$rc" = 0 ] || [ "$others" -gt 0 ] || ps_fail "run $r: status $rc: $(cat "$err")"
	# Stop when the churners are done.
	alive=0
	for p in "${CHURN_PIDS[@]}"; do
		kill -0 "$p" 2>/dev/null && alive=1
	done
	[ "$alive" = 1 ] || break
done
ps_log "$runs runs, $notes vanish notes"
echo "it_allns_churn: 1 passed, 0 failed"
