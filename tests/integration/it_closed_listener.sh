#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A server that closed its listener keeps its sockets under its port.
# drainer.py accepts LEAKED + CLOSED connections per family on 127.0.0.1
# and [::1]:8443, closes its listener, leaves LEAKED in CLOSE_WAIT (the
# clients closed) and CLOSED in TIME_WAIT (it closed first).  Without a
# listener only the ephemeral range can tell these are inbound: the report
# (text, JSON, CSV, Prometheus; -4, -6; a split dump) counts one row
# "8443 in", and leaks --crit sees one group of every CLOSE_WAIT.  A second
# namespace with ip_local_port_range 40000-40999 and a server on :50000
# (inside Linux's default range) proves the range is read per namespace,
# from the namespace's own sysctl, again at each sample, and recorded.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
ps_require_root
command -v jq >/dev/null || ps_fail "jq not found"

LEAKED=10 CLOSED=3
DRAINER="$(cd "$(dirname "$0")" && pwd)/drainer.py"
DR_PIDS=()

dr_cleanup() {
	local p
	for p in "${DR_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	DR_PIDS=()
	ps_cleanup
}
trap 'dr_cleanup' EXIT
trap 'dr_cleanup; trap - EXIT; exit 130' INT
trap 'dr_cleanup; trap - EXIT; exit 143' TERM
PS_TRAP_SET=1	# ours calls ps_cleanup; lib.sh must not replace it

# ss count for a state and filter in NS.
ss_n() {
	local ns=$1
	shift
	ip netns exec "$ns" ss -Htan state "$@" | wc -l
}

# dr_start NS PORT LEAKED CLOSED: start drainer.py, wait (bounded) for its
# ready line, then for the kernel to settle: FIN handling on loopback is
# asynchronous.  DR_PID is its pid.
dr_start() {
	local ns=$1 port=$2 leaked=$3 closed=$4 out i
	ps_tmpdir
	out="$PS_TMPDIR/drainer-$ns-$port.out"
	# ip netns exec execs python: $! is the server's pid.
	ip netns exec "$ns" python3 "$DRAINER" "$port" "$leaked" "$closed" >"$out" 2>&1 </dev/null &
	DR_PIDS+=("$!")
	DR_PID=$!
	for ((i = 0; i < 200; i++)); do
		grep -q "^ready $DR_PID$" "$out" && break
		kill -0 "$DR_PID" 2>/dev/null || ps_fail "drainer on :$port exited: $(cat "$out")"
		sleep 0.05
	done
	grep -q "^ready $DR_PID$" "$out" || ps_fail "drainer on :$port not ready: $(cat "$out")"
	for ((i = 0; i < 200; i++)); do
		[ "$(ss_n "$ns" close-wait "( sport = :$port )")" = $((2 * leaked)) ] &&
		[ "$(ss_n "$ns" time-wait "( sport = :$port )")" = $((2 * closed)) ] &&
		[ "$(ss_n "$ns" fin-wait-2 "( dport = :$port )")" = $((2 * leaked)) ] &&
		[ "$(ss_n "$ns" last-ack)" = 0 ] && [ "$(ss_n "$ns" listening)" = 0 ] && return 0
		sleep 0.05
	done
	ps_fail "drainer on :$port: the kernel did not settle: $(ip netns exec "$ns" ss -tan)"
}

# JSON rows, sorted: "port dir state=n,..."
rows() {
	jq -r '.ports[] | "\(.port) \(.direction) " +
	       (.states | to_entries | sort_by(.key) | map("\(.key)=\(.value)") | join(","))' | sort
}

ps_netns_new ns
dr_start "$ns" 8443 $LEAKED $CLOSED
drainer=$DR_PID
per_fam="8443 in close_wait=$LEAKED,time_wait=$CLOSED
8443 out fin_wait2=$LEAKED"
both="8443 in close_wait=$((2 * LEAKED)),time_wait=$((2 * CLOSED))
8443 out fin_wait2=$((2 * LEAKED))"

# want_text LEAKED CLOSED: the report of that many of each, columns
# squeezed (widths are not what this test is about).
want_text() {
	local l=$1 c=$2
	printf '%s\n' "PORT DIR LISTEN ESTAB FIN-WAIT-2 TIME-WAIT CLOSE-WAIT TOTAL" \
		"8443 in 0 0 0 $c $l $((c + l))" "8443 out 0 0 $l 0 0 $l" \
		"total 0 0 $l $c $l $((2 * l + c))"
}

# Text: one inbound row, exact counts.
text=$("$PORTSTAT" -N "$ns" | awk '{$1 = $1; print}')
want=$(want_text $((2 * LEAKED)) $((2 * CLOSED)))
[ "$text" = "$want" ] || ps_fail "text:"$'\n'"$text"$'\n'"want:"$'\n'"$want"
# The same counts as ss, which knows nothing of directions.
[ "$(ss_n "$ns" close-wait "( sport = :8443 )")" = $((2 * LEAKED)) ] || ps_fail "ss disagrees"
echo "ok: text, one row 8443 in"

# JSON, both families and each alone; a split dump classifies the same.
json=$("$PORTSTAT" -N "$ns" -f json) || ps_fail "portstat -f json failed"
[ "$(rows <<<"$json")" = "$both" ] || ps_fail "json rows: $(rows <<<"$json")"
[ "$(jq -c '[.states.close_wait, .states.time_wait, .sockets]' <<<"$json")" = \
  "[$((2 * LEAKED)),$((2 * CLOSED)),$((4 * LEAKED + 2 * CLOSED))]" ] || ps_fail "json totals: $json"
for fam in -4 -6; do
	got=$("$PORTSTAT" -N "$ns" -f json $fam | rows)
	[ "$got" = "$per_fam" ] || ps_fail "$fam rows: $got"
	got=$("$PORTSTAT" -N "$ns" $fam | awk '{$1 = $1; print}')
	[ "$got" = "$(want_text $LEAKED $CLOSED)" ] || ps_fail "$fam text:"$'\n'"$got"
done
got=$(PORTSTAT_SPLIT=2 "$PORTSTAT" -N "$ns" -f json | rows)
[ "$got" = "$both" ] || ps_fail "split rows: $got"
echo "ok: json, -4, -6, split"

# CSV and Prometheus: the same row.
csv=$("$PORTSTAT" -N "$ns" -f csv -H | cut -d, -f3-)
[ "$csv" = "8443,in,0,0,0,0,0,0,$((2 * CLOSED)),0,$((2 * LEAKED)),0,0,$((2 * CLOSED + 2 * LEAKED))
8443,out,0,0,0,0,0,$((2 * LEAKED)),0,0,0,0,0,$((2 * LEAKED))" ] || ps_fail "csv: $csv"
prom=$("$PORTSTAT" -N "$ns" -f prometheus)
grep -qx "portstat_tcp_port_sockets{port=\"8443\",direction=\"in\",state=\"close_wait\"} $((2 * LEAKED))" <<<"$prom" &&
grep -qx "portstat_tcp_port_sockets{port=\"8443\",direction=\"in\",state=\"time_wait\"} $((2 * CLOSED))" <<<"$prom" ||
	ps_fail "prometheus: $(grep 8443 <<<"$prom")"
echo "ok: csv, prometheus"

# leaks: one group of every CLOSE_WAIT, above --crit.
out=$("$PORTSTAT" leaks -N "$ns" --warn 5 --crit 8); rc=$?
[ "$rc" = 2 ] || ps_fail "leaks --warn 5 --crit 8: exit $rc, want 2: $out"
[[ $(head -1 <<<"$out") =~ ^CRITICAL:\ $((2 * LEAKED))\ CLOSE_WAIT\ on\ :8443\ held\ by\ drainsrv\[$drainer\] ]] ||
	ps_fail "leaks verdict: $(head -1 <<<"$out")"
[ "$(awk 'NR == 3 {print $1, $2, $3, $4}' <<<"$out")" = "8443 in CLOSE-WAIT $((2 * LEAKED))" ] &&
[ "$(wc -l <<<"$out")" = 3 ] || ps_fail "leaks rows: $out"
out=$("$PORTSTAT" leaks -N "$ns" -4 --warn 5 --crit 8); rc=$?
[ "$rc" = 2 ] && [[ $(head -1 <<<"$out") == "CRITICAL: $LEAKED CLOSE_WAIT on :8443 "* ]] ||
	ps_fail "leaks -4: exit $rc: $out"
got=$("$PORTSTAT" leaks -N "$ns" -6 -f json | jq -c '[.groups[] | [.port, .direction, .count]]')
[ "$got" = "[[8443,\"in\",$LEAKED]]" ] || ps_fail "leaks -6 json: $got"
echo "ok: leaks CRITICAL on :8443"

# A namespace of its own range: 50000 lies inside Linux's default range,
# but outside this namespace's.
ps_netns_new ns2
ip netns exec "$ns2" sysctl -qw net.ipv4.ip_local_port_range="40000 40999" ||
	ps_fail "cannot set ip_local_port_range in $ns2"
[ "$(awk '{print $1, $2}' /proc/sys/net/ipv4/ip_local_port_range)" != "40000 40999" ] ||
	ps_fail "the host's range is 40000 40999 too: the test proves nothing"
dr_start "$ns2" 50000 4 2
peers=$(ip netns exec "$ns2" ss -Htan "( sport = :50000 )" | awk '{n = split($5, a, ":"); print a[n]}' | sort -u)
[ -n "$peers" ] && ! awk '$1 < 40000 || $1 > 40999' <<<"$peers" | grep -q . ||
	ps_fail "client ports not from 40000-40999: $peers"
custom="50000 in close_wait=8,time_wait=4
50000 out fin_wait2=8"
got=$("$PORTSTAT" -N "$ns2" -f json | rows)
[ "$got" = "$custom" ] || ps_fail "-N $ns2 (range read from the host): $got"
# One process reading two namespaces classifies each by its own range.
all=$("$PORTSTAT" --all-netns -f json) || ps_fail "--all-netns failed"
got=$(jq --arg n "$ns" '.namespaces[] | select(.netns == $n)' <<<"$all" | rows)
[ "$got" = "$both" ] || ps_fail "--all-netns, $ns: $got"
got=$(jq --arg n "$ns2" '.namespaces[] | select(.netns == $n)' <<<"$all" | rows)
[ "$got" = "$custom" ] || ps_fail "--all-netns, $ns2: $got"
echo "ok: the range is the namespace's own"

# Recorded, the range replays with the sample, wherever the replay runs.
ps_tmpdir
"$PORTSTAT" -N "$ns2" --record "$PS_TMPDIR/r.rec" >/dev/null || ps_fail "--record failed"
got=$("$PORTSTAT" --replay "$PS_TMPDIR/r.rec" -f json | rows)
[ "$got" = "$custom" ] || ps_fail "replay: $got"
out=$("$PORTSTAT" leaks --replay "$PS_TMPDIR/r.rec" --crit 7); rc=$?
# (A replay may print the sample's time first, as a '#' line.)
[ "$rc" = 2 ] && [[ $(grep -m1 -v '^#' <<<"$out") == "CRITICAL: 8 CLOSE_WAIT on :50000 "* ]] ||
	ps_fail "leaks replay: exit $rc: $out"
echo "ok: recorded and replayed"

# Read again at each sample: a running report sees the range change.  Back
# to Linux's default, :50000 is ephemeral, so its sockets are clients' and
# count under their peers' ports (one row each), and no 50000 in row is left.
"$PORTSTAT" -N "$ns2" -f json -i 0.2 -c 100 >"$PS_TMPDIR/live.json" 2>&1 &
live=$!
for ((i = 0; i < 100; i++)); do
	[ -s "$PS_TMPDIR/live.json" ] && break
	sleep 0.05
done
[ "$(head -1 "$PS_TMPDIR/live.json" | rows)" = "$custom" ] || ps_fail "live, first sample: $(head -1 "$PS_TMPDIR/live.json")"
ip netns exec "$ns2" sysctl -qw net.ipv4.ip_local_port_range="32768 60999" || ps_fail "sysctl back"
changed=
for ((i = 0; i < 100; i++)); do
	if tail -n 1 "$PS_TMPDIR/live.json" | jq -e '[.ports[] | select(.port == 50000 and .direction == "in")] | length == 0' >/dev/null 2>&1; then
		changed=1
		break
	fi
	sleep 0.1
done
kill -TERM "$live" 2>/dev/null
wait "$live" 2>/dev/null
[ -n "$changed" ] || ps_fail "the range change was not seen: $(tail -n 1 "$PS_TMPDIR/live.json")"
got=$("$PORTSTAT" -N "$ns2" -f json)
# (An IPv4 and an IPv6 client may share a port number: count sockets, not rows.)
[ "$(jq '[.ports[] | select(.port != 50000) | .states.close_wait // 0] | add' <<<"$got")" = 8 ] &&
[ "$(jq '[.ports[] | select(.port != 50000) | .states.time_wait // 0] | add' <<<"$got")" = 4 ] &&
[ "$(jq '[.ports[] | select(.port != 50000) | .direction] | unique' -c <<<"$got")" = '["out"]' ] &&
[ "$(jq -c '[.ports[] | select(.port == 50000)] | map([.direction, .states])' <<<"$got")" = '[["out",{"fin_wait2":8}]]' ] ||
	ps_fail "default range in $ns2: $(rows <<<"$got")"
echo "ok: the range is read at each sample"
