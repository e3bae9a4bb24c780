#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# portstat leaks names the leaking process and port, not the well-behaved
# one: a server that never closes after the peer's FIN (leakysrv, :8081)
# beside one that does (goodsrv, :8082).  Exact counts (against ss too),
# unread bytes, owners, peers, the verdict line, JSON and CSV agreeing,
# exit statuses at each threshold, and UNKNOWN (3) for usage errors and for
# a dump that cannot be taken.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/leaks_lib.sh"
ps_require_root

LEAKS=12 GOOD=7 BYTES=100
ps_netns_new ns
lk_set_trap
lk_server "$ns" 8081 leak leakysrv
leaky=$LK_SRV_PID
lk_server "$ns" 8082 close goodsrv
good=$LK_SRV_PID
lk_client "$ns"
[ "$(lk_do open 8081 $LEAKS $BYTES)" = "opened $LEAKS" ] || ps_fail "client open 8081"
[ "$(lk_do open 8082 $GOOD $BYTES)" = "opened $((LEAKS + GOOD))" ] || ps_fail "client open 8082"
[ "$(lk_do fin)" = "fin $((LEAKS + GOOD))" ] || ps_fail "client fin"
# The good server reads, sees EOF and closes: its side leaves CLOSE_WAIT.
lk_wait_ss "$ns" $LEAKS state close-wait '( sport = :8081 )'
lk_wait_ss "$ns" 0 state close-wait '( sport = :8082 )'
lk_wait_ss "$ns" $GOOD state time-wait '( dport = :8082 )'

json=$("$PORTSTAT" leaks -N "$ns" -f json); rc=$?
[ "$rc" = 0 ] || ps_fail "leaks exit $rc, want 0 (no thresholds)"
want=$(jq -cn --argjson n $LEAKS --argjson q $((LEAKS * BYTES)) --argjson pid "$leaky" '
	[{port: 8081, direction: "in", state: "close_wait", count: $n, recv_q_bytes: $q,
	  processes: [{pid: $pid, comm: "leakysrv", count: $n}],
	  peers: [{addr: "127.0.0.1", count: $n}]}]')
got=$(jq -c '[.groups[] | {port, direction, state, count, recv_q_bytes, processes: [.processes[] | del(.cgroup)], peers}]' <<<"$json")
[ "$got" = "$want" ] || ps_fail "groups: $got"$'\n'"want   $want"
[ "$(jq -r '[.status, .sockets, .groups[0].growth_per_min, (.groups[0].oldest_s | type)] | @tsv' <<<"$json")" = \
  "ok	$LEAKS		number" ] || ps_fail "status/sockets/growth/oldest: $json"
jq -e --argjson g "$good" '[.. | .pid? // empty] | index($g) == null' <<<"$json" >/dev/null ||
	ps_fail "the well-behaved server $good appears: $json"
# The same count as ss, state by state.
[ "$(lk_ss_count "$ns" state close-wait)" = "$(jq .sockets <<<"$json")" ] || ps_fail "count differs from ss"
# The owner's cgroup: the one leakysrv was started in (this shell's).
home=$(sed -n 's/^0:://p' /proc/self/cgroup)
if [ -n "$home" ]; then
	[ "$(jq -r '.groups[0].processes[0].cgroup' <<<"$json")" = "$home" ] ||
		ps_fail "owner's cgroup: $(jq -c '.groups[0].processes' <<<"$json"), want $home"
fi
echo "ok: json names leakysrv[$leaky] on :8081 only, in cgroup ${home:-?}"

# Text leads with the verdict.
text=$("$PORTSTAT" leaks -N "$ns")
line1=$(head -1 <<<"$text")
[[ $line1 =~ ^OK:\ $LEAKS\ CLOSE_WAIT\ on\ :8081\ held\ by\ leakysrv\[$leaky\],\ oldest\ [0-9]+s\ \|\ \'close_wait\'=$LEAKS\;\;\;0\ \'oldest_close_wait\'=[0-9]+s\;\;\;0$ ]] ||
	ps_fail "verdict: $line1"
[ "$(sed -n 2p <<<"$text" | awk '{print $1, $2, $3, $4}')" = "PORT DIR STATE COUNT" ] || ps_fail "header: $text"
[ "$(sed -n 3p <<<"$text" | awk '{print $1, $2, $3, $4, $5}')" = "8081 in CLOSE-WAIT $LEAKS $((LEAKS * BYTES))" ] ||
	ps_fail "row: $text"
[ "$(wc -l <<<"$text")" = 3 ] || ps_fail "text has other rows: $text"
# CSV: one row per group and process, the same numbers.
csv=$("$PORTSTAT" leaks -N "$ns" -f csv -H)
[ "$(cut -d, -f3-7,10-12 <<<"$csv")" = "8081,in,close_wait,$LEAKS,$((LEAKS * BYTES)),$leaky,leakysrv,$LEAKS" ] ||
	ps_fail "csv: $csv"
# -s widens to the client side: FIN_WAIT2 towards :8081, held by the client.
w=$("$PORTSTAT" leaks -N "$ns" -s close-wait,fin-wait-2 -f json |
    jq -c '[.groups[] | [.port, .direction, .state, .count, .processes[0].comm]]')
[ "$w" = "[[8081,\"in\",\"close_wait\",$LEAKS,\"leakysrv\"],[8081,\"out\",\"fin_wait2\",$LEAKS,\"python3\"]]" ] ||
	ps_fail "-s close-wait,fin-wait-2: $w"
echo "ok: text, csv, -s"

# Thresholds on the largest group's count: alert when it holds MORE than N.
expect_status() {
	local want=$1 word=$2 out rc
	shift 2
	out=$("$PORTSTAT" leaks -N "$ns" "$@" 2>&1); rc=$?
	[ "$rc" = "$want" ] || ps_fail "leaks $*: exit $rc, want $want: $out"
	[[ $(head -1 <<<"$out") == "$word: "* ]] || ps_fail "leaks $*: verdict $(head -1 <<<"$out")"
	[ "$(jq -r .status < <("$PORTSTAT" leaks -N "$ns" -f json "$@"))" = "${word,,}" ] ||
		ps_fail "leaks $* -f json: status is not ${word,,}"
}
expect_status 0 OK       --warn $LEAKS
expect_status 1 WARNING  --warn $((LEAKS - 1))
expect_status 0 OK       --crit $LEAKS
expect_status 2 CRITICAL --crit $((LEAKS - 1))
expect_status 1 WARNING  --warn $((LEAKS - 1)) --crit $LEAKS
expect_status 2 CRITICAL --warn 1 --crit $((LEAKS - 1))
expect_status 0 OK       --warn $LEAKS --crit $((LEAKS + 5))
expect_status 0 OK       --warn-age 1h --crit-age 2h
expect_status 2 CRITICAL -p 8081 --crit 0
expect_status 0 OK       -p 8082 --crit 0
echo "ok: count thresholds"

# UNKNOWN (3): usage errors (one line and the hint on stderr, and the
# plugin's one "UNKNOWN: reason" line on stdout)...
expect_unknown() {
	local needle=$1 rc
	shift
	"$PORTSTAT" leaks "$@" >"$PS_TMPDIR/u.out" 2>"$PS_TMPDIR/u.err"; rc=$?
	[ "$rc" = 3 ] || ps_fail "leaks $*: exit $rc, want 3"
	# stdout: exactly the plugin line, the same reason as stderr's
	[ "$(cat "$PS_TMPDIR/u.out")" = "UNKNOWN: $(head -1 "$PS_TMPDIR/u.err" | sed 's/^portstat: //')" ] ||
		ps_fail "leaks $*: stdout is not its one UNKNOWN line: $(cat "$PS_TMPDIR/u.out")"
	grep -qF -- "$needle" "$PS_TMPDIR/u.err" || ps_fail "leaks $*: error lacks '$needle': $(cat "$PS_TMPDIR/u.err")"
}
expect_unknown "'x'" --warn x
expect_unknown "'-1'" --crit -1
expect_unknown "'5y'" --warn-age 5y
expect_unknown "is above --crit" --warn 5 --crit 3
expect_unknown "not 'established'" -s established
expect_unknown "'--bogus'" --bogus
[ "$(wc -l < "$PS_TMPDIR/u.err")" = 2 ] && grep -q "Try 'portstat --help'" "$PS_TMPDIR/u.err" ||
	ps_fail "usage error is not one line and the hint: $(cat "$PS_TMPDIR/u.err")"
# ... a namespace or a recording that cannot be read ...
expect_unknown "no-such-ns-$$" -N "no-such-ns-$$" --crit 0
expect_unknown "missing.rec" --replay "$PS_TMPDIR/missing.rec"
# ... while the report keeps its own contract.
"$PORTSTAT" --warn 5 >/dev/null 2>&1; rc=$?
[ "$rc" = 2 ] || ps_fail "report --warn: exit $rc, want 2"
echo "ok: unknown"

# A recording of a leaks run replays to the same groups (owners aside:
# processes are not recorded) and the report reads it too.
"$PORTSTAT" leaks -N "$ns" --record "$PS_TMPDIR/l.rec" -f json > "$PS_TMPDIR/live.json" || ps_fail "record"
"$PORTSTAT" leaks --replay "$PS_TMPDIR/l.rec" -f json > "$PS_TMPDIR/replay.json" || ps_fail "replay"
strip='[.groups[] | del(.processes)]'
[ "$(jq -c "$strip" "$PS_TMPDIR/live.json")" = "$(jq -c "$strip" "$PS_TMPDIR/replay.json")" ] ||
	ps_fail "replay differs: $(cat "$PS_TMPDIR/live.json" "$PS_TMPDIR/replay.json")"
[ "$(jq -c '.groups[0].processes | map(del(.cgroup))' "$PS_TMPDIR/replay.json")" = "[{\"pid\":0,\"comm\":\"?\",\"count\":$LEAKS}]" ] ||
	ps_fail "replay owners: $(cat "$PS_TMPDIR/replay.json")"
[ "$("$PORTSTAT" --replay "$PS_TMPDIR/l.rec" -s close-wait -f json | jq .states.close_wait)" = $LEAKS ] ||
	ps_fail "the report cannot read a leaks recording"
echo "ok: record/replay"
echo "it_leaks: passed"
