#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# portstat leaks --by process / --by cgroup: one process leaking a few
# CLOSE_WAIT sockets on each of many ports is one offender.  spread (3 on
# each of 5 ports, 15 in all) and focused (8 on one port) next to each
# other: per group nothing exceeds --warn 10, per process spread does
# (WARNING naming it with 15), and focused stays under.  Exact counts in
# text, JSON and CSV; --by cgroup sums both (same cgroup: this test's).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/leaks_lib.sh"
ps_require_root

PER=3 FOCUSED=8
PORTS=(47321 47322 47323 47324 47325)
ps_netns_new ns
lk_set_trap
lk_server "$ns" "$(IFS=,; echo "${PORTS[*]}")" leak spread
spread=$LK_SRV_PID
lk_server "$ns" 47331 leak focused
focused=$LK_SRV_PID
lk_client "$ns"
n=0
for p in "${PORTS[@]}"; do
	n=$((n + PER))
	[ "$(lk_do open "$p" $PER)" = "opened $n" ] || ps_fail "client open $p"
done
n=$((n + FOCUSED))
[ "$(lk_do open 47331 $FOCUSED)" = "opened $n" ] || ps_fail "client open 47331"
[ "$(lk_do fin)" = "fin $n" ] || ps_fail "client fin"
lk_wait_ss "$ns" $n state close-wait
total=$((PER * ${#PORTS[@]}))

# Per group: the largest holds 8, under --warn 10.
"$PORTSTAT" leaks -N "$ns" --warn 10 >/dev/null 2>&1; rc=$?
[ "$rc" = 0 ] || ps_fail "per group --warn 10: exit $rc, want 0"

# Per process: spread holds 15.
text=$("$PORTSTAT" leaks -N "$ns" --by process --warn 10 2>"$PS_TMPDIR/err"); rc=$?
[ "$rc" = 1 ] || ps_fail "--by process --warn 10: exit $rc, want 1: $(cat "$PS_TMPDIR/err")"
first=$(head -1 <<<"$text")
[[ $first == "WARNING: spread[$spread] holds $total CLOSE_WAIT on ${#PORTS[@]} ports, oldest "* ]] ||
	ps_fail "verdict: $first"
grep -Eq "^ *$spread +spread +.* +$total +[0-9]+s +[0-9]+ in \($PER\), .* \+2\$" <<<"$text" ||
	ps_fail "no row for spread:"$'\n'"$text"
grep -Eq "^ *$focused +focused +.* +$FOCUSED +[0-9]+s +47331 in \($FOCUSED\)\$" <<<"$text" ||
	ps_fail "no row for focused:"$'\n'"$text"
[ "$(sed 1,2d <<<"$text" | wc -l)" = 2 ] || ps_fail "rows: $text"

"$PORTSTAT" leaks -N "$ns" --by process --warn 10 --crit $((total - 1)) >/dev/null 2>&1; rc=$?
[ "$rc" = 2 ] || ps_fail "--crit $((total - 1)): exit $rc, want 2"
"$PORTSTAT" leaks -N "$ns" --by process --warn $total >/dev/null 2>&1; rc=$?
[ "$rc" = 0 ] || ps_fail "--warn $total: exit $rc, want 0 (more than N alerts)"

json=$("$PORTSTAT" leaks -N "$ns" --by process --warn 10 -f json 2>/dev/null)
want=$(jq -cn --argjson s "$spread" --argjson f "$focused" --argjson t $total --argjson per $PER \
	--argjson fo $FOCUSED '{status: "warning", by: "process", sockets: ($t + $fo), owners: [
	{pid: $s, comm: "spread", count: $t, ports_distinct: 5,
	 ports: [47321, 47322, 47323, 47324, 47325 | {port: ., direction: "in", state: "close_wait", count: $per}]},
	{pid: $f, comm: "focused", count: $fo, ports_distinct: 1,
	 ports: [{port: 47331, direction: "in", state: "close_wait", count: $fo}]}]}')
got=$(jq -c '{status, by, sockets, owners: [.owners[] | {pid, comm, count, ports_distinct, ports}]}' <<<"$json")
[ "$got" = "$want" ] || ps_fail "json: $got"$'\n'"want  $want"
jq -e '.owners | all(.oldest_s | type == "number")' <<<"$json" >/dev/null || ps_fail "ages: $json"

csv=$("$PORTSTAT" leaks -N "$ns" --by process -f csv 2>/dev/null)
[ "$(head -1 <<<"$csv")" = "time,netns,pid,comm,cgroup,count,oldest_s,ports_distinct" ] ||
	ps_fail "csv header: $csv"
grep -Eq "^[^,]+,$ns,$spread,spread,[^,]*,$total,[0-9]+,5\$" <<<"$csv" || ps_fail "csv spread: $csv"
grep -Eq "^[^,]+,$ns,$focused,focused,[^,]*,$FOCUSED,[0-9]+,1\$" <<<"$csv" || ps_fail "csv focused: $csv"

# Per cgroup: both servers run in this test's cgroup, one row of 23.
json=$("$PORTSTAT" leaks -N "$ns" --by cgroup --warn 20 -f json 2>/dev/null); rc=$?
[ "$rc" = 1 ] || ps_fail "--by cgroup --warn 20: exit $rc, want 1"
cg=$(sed -n 's/^0:://p' "/proc/$spread/cgroup")
[ "$cg" = "$(sed -n 's/^0:://p' "/proc/$focused/cgroup")" ] || ps_fail "servers in two cgroups"
got=$(jq -c '[.owners[] | {cgroup, count, ports_distinct}]' <<<"$json")
[ "$got" = "$(jq -cn --arg cg "$cg" --argjson n $n '[{cgroup: $cg, count: $n, ports_distinct: 6}]')" ] ||
	ps_fail "cgroup rows: $got (cgroup $cg)"
[[ $(jq -r .verdict <<<"$json") == "WARNING: cgroup $cg holds $n CLOSE_WAIT on 6 ports, oldest "* ]] ||
	ps_fail "cgroup verdict: $(jq -r .verdict <<<"$json")"
echo "it_leaks_byowner: ok"
