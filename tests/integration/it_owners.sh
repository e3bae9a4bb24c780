#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# portstat --by process and --by cgroup, in a namespace holding a leaking
# server (leakysrv, :8081, in a cgroup of its own where cgroup2 can be
# written), a well-behaved one (goodsrv, :8082) and their client.  Exact
# counts per process, equal to what ss -tanp says of each pid; -p and -s
# select as for ports; text, CSV and Prometheus (promtool) agree with JSON;
# as nobody the counts stay exact, other users' owners are "?" and one
# note says why; per cgroup, exact counts equal to ss --cgroup's.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/leaks_lib.sh"
ps_require_root

LEAKS=12 GOOD=7
CGDIR="" CGMOVED=""
cleanup() {
	lk_cleanup
	[ -n "$CGMOVED" ] && rmdir "$CGMOVED" 2>/dev/null
	[ -n "$CGDIR" ] && rmdir "$CGDIR" 2>/dev/null
}
ps_netns_new ns
trap cleanup EXIT
trap 'cleanup; trap - EXIT; exit 130' INT
trap 'cleanup; trap - EXIT; exit 143' TERM

# A cgroup of our own for the leaking server: this shell moves into it to
# start the server (which inherits it) and moves back.
mnt=$(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") print $5; break } }' \
	/proc/self/mountinfo | head -1)
home=$(sed -n 's/^0:://p' /proc/self/cgroup)
if [ -n "$mnt" ] && [ -n "$home" ] && mkdir "$mnt/pstest-$$" 2>/dev/null; then
	CGDIR=$mnt/pstest-$$
	echo $BASHPID > "$CGDIR/cgroup.procs" || ps_fail "cannot enter $CGDIR"
fi
lk_server "$ns" 8081 leak leakysrv
leaky=$LK_SRV_PID
if [ -n "$CGDIR" ]; then
	echo $BASHPID > "$mnt${home}/cgroup.procs" || ps_fail "cannot return to cgroup $home"
	[ "$(sed -n 's/^0:://p' /proc/self/cgroup)" = "$home" ] || ps_fail "still in $CGDIR"
else
	ps_log "no writable cgroup2 mount: the per-cgroup checks use the existing cgroups only"
fi
lk_server "$ns" 8082 close goodsrv
good=$LK_SRV_PID
lk_client "$ns"
client=${LK_PIDS[-1]}	# 'ip netns exec' execs python: the same pid
[ "$(lk_do open 8081 $LEAKS)" = "opened $LEAKS" ] || ps_fail "client open 8081"
[ "$(lk_do open 8082 $GOOD)" = "opened $((LEAKS + GOOD))" ] || ps_fail "client open 8082"
[ "$(lk_do fin)" = "fin $((LEAKS + GOOD))" ] || ps_fail "client fin"
lk_wait_ss "$ns" $LEAKS state close-wait
lk_wait_ss "$ns" $LEAKS state fin-wait-2
lk_wait_ss "$ns" $GOOD state time-wait
TOTAL=$((2 + 2 * LEAKS + GOOD))

# ---- --by process ----------------------------------------------------------
rows='[.processes[] | [.pid, .comm, .total, .states]]'
json=$("$PORTSTAT" -N "$ns" --by process -f json 2>"$PS_TMPDIR/err") || ps_fail "--by process failed"
[ ! -s "$PS_TMPDIR/err" ] || ps_fail "root run printed: $(cat "$PS_TMPDIR/err")"
want="[[$leaky,\"leakysrv\",$((LEAKS + 1)),{\"listen\":1,\"close_wait\":$LEAKS}],\
[$client,\"python3\",$LEAKS,{\"fin_wait2\":$LEAKS}],\
[0,\"-\",$GOOD,{\"time_wait\":$GOOD}],\
[$good,\"goodsrv\",1,{\"listen\":1}]]"
[ "$(jq -c "$rows" <<<"$json")" = "$want" ] || ps_fail "processes: $(jq -c "$rows" <<<"$json")"$'\n'"want       $want"
[ "$(jq .sockets <<<"$json")" = $TOTAL ] || ps_fail "sockets: $(jq .sockets <<<"$json"), want $TOTAL"

# The same per pid as ss -tanp ("-" where ss names no process).
ss_pids=$(ip netns exec "$ns" ss -Htanp | awk '{ p = "0"; if (match($0, /pid=[0-9]+/)) p = substr($0, RSTART + 4, RLENGTH - 4); n[p]++ }
	END { for (p in n) print p, n[p] }' | sort -n)
ps_pids=$(jq -r '.processes[] | "\(.pid) \(.total)"' <<<"$json" | sort -n)
[ "$ss_pids" = "$ps_pids" ] || ps_fail "per pid, ss -tanp says"$'\n'"$ss_pids"$'\n'"portstat says"$'\n'"$ps_pids"
# Each process's own cgroup (/proc/PID/cgroup).
if [ -n "$CGDIR" ]; then
	[ "$(jq -r ".processes[] | select(.pid == $leaky) | .cgroup" <<<"$json")" = "/pstest-$$" ] ||
		ps_fail "leakysrv's cgroup: $(jq -c .processes <<<"$json")"
	[ "$(jq -r ".processes[] | select(.pid == $good) | .cgroup" <<<"$json")" = "$home" ] ||
		ps_fail "goodsrv's cgroup: $(jq -c .processes <<<"$json")"
fi
[ "$(jq -c '[.processes[] | select(.pid == 0) | .cgroup]' <<<"$json")" = "[null]" ] ||
	ps_fail "the no-process row has a cgroup: $(jq -c .processes <<<"$json")"
echo "ok: --by process names every owner and its cgroup, exact counts, = ss -tanp per pid"

# -p selects by service port: :8081's inbound sockets and the client's
# outbound ones to it; -s by state.
p=$("$PORTSTAT" -N "$ns" --by process -p 8081 -f json | jq -c "$rows")
[ "$p" = "[[$leaky,\"leakysrv\",$((LEAKS + 1)),{\"listen\":1,\"close_wait\":$LEAKS}],[$client,\"python3\",$LEAKS,{\"fin_wait2\":$LEAKS}]]" ] ||
	ps_fail "-p 8081: $p"
s=$("$PORTSTAT" -N "$ns" --by process -s close-wait -f json | jq -c "$rows")
[ "$s" = "[[$leaky,\"leakysrv\",$LEAKS,{\"close_wait\":$LEAKS}]]" ] || ps_fail "-s close-wait: $s"
echo "ok: -p and -s select as for ports"

# Text, CSV and Prometheus: the same numbers.
text=$("$PORTSTAT" -N "$ns" --by process)
[ "$(head -1 <<<"$text" | awk '{ print $1, $2, $NF }')" = "PID COMMAND TOTAL" ] || ps_fail "text header: $text"
[ "$(awk -v p="$leaky" '$1 == p { print $2, $NF }' <<<"$text")" = "leakysrv $((LEAKS + 1))" ] || ps_fail "text row: $text"
[ "$(awk '$1 == "-" && $2 == "-" { print $NF }' <<<"$text")" = $GOOD ] || ps_fail "text '-' row: $text"
[ "$(tail -1 <<<"$text" | awk '{ print $1, $NF }')" = "total $TOTAL" ] || ps_fail "text total: $text"
csv=$("$PORTSTAT" -N "$ns" --by process -f csv)
[ "$(head -1 <<<"$csv" | cut -d, -f1-5)" = "time,netns,pid,comm,listen" ] || ps_fail "csv header: $csv"
[ "$(awk -F, -v p="$leaky" '$3 == p { print $4, $5, $13, $NF }' <<<"$csv")" = "leakysrv 1 $LEAKS $((LEAKS + 1))" ] ||
	ps_fail "csv row: $csv"
prom=$("$PORTSTAT" -N "$ns" --by process -f prometheus)
grep -qx "portstat_tcp_process_sockets{pid=\"$leaky\",comm=\"leakysrv\",state=\"close_wait\"} $LEAKS" <<<"$prom" ||
	ps_fail "prometheus: $prom"
if command -v promtool >/dev/null; then
	promtool check metrics <<<"$prom" || ps_fail "promtool rejects --by process"
fi
echo "ok: text, csv and prometheus agree"

# ---- unprivileged ------------------------------------------------------------
if id nobody >/dev/null 2>&1; then
	# The build tree may be where nobody cannot enter: run a copy.
	ps_reachable_copy "$PORTSTAT" user_portstat
	user=$(ip netns exec "$ns" runuser -u nobody -- "$user_portstat" --by process -f json 2>"$PS_TMPDIR/user.err"); rc=$?
	[ "$rc" = 0 ] || ps_fail "nobody: exit $rc: $(cat "$PS_TMPDIR/user.err")"
	[ "$(jq -c "$rows" <<<"$user")" = "[[0,\"?\",$((2 * LEAKS + 2)),{\"listen\":2,\"fin_wait2\":$LEAKS,\"close_wait\":$LEAKS}],[0,\"-\",$GOOD,{\"time_wait\":$GOOD}]]" ] ||
		ps_fail "nobody: $(jq -c "$rows" <<<"$user")"
	[ "$(wc -l < "$PS_TMPDIR/user.err")" = 1 ] && grep -q "owners of $((2 * LEAKS + 2)) sockets unknown" "$PS_TMPDIR/user.err" ||
		ps_fail "want one note: $(cat "$PS_TMPDIR/user.err")"
	echo "ok: as nobody, exact counts, '?' owners, one note"
else
	ps_fail "no user nobody for the unprivileged run"
fi

# ---- --by cgroup -------------------------------------------------------------
cg=$("$PORTSTAT" -N "$ns" --by cgroup -f json 2>"$PS_TMPDIR/err") || ps_fail "--by cgroup failed"
[ ! -s "$PS_TMPDIR/err" ] || ps_fail "--by cgroup printed: $(cat "$PS_TMPDIR/err")"
[ "$(jq '[.cgroups[].total] | add' <<<"$cg")" = $TOTAL ] || ps_fail "cgroup rows do not add up: $cg"
# The kernel gives time-wait sockets no cgroup.
[ "$(jq -c '[.cgroups[] | select(.cgroup == null)]' <<<"$cg")" = "[{\"cgroup\":null,\"total\":$GOOD,\"states\":{\"time_wait\":$GOOD}}]" ] ||
	ps_fail "no-cgroup row: $(jq -c .cgroups <<<"$cg")"
# Every other row is a path, and its count is what ss --cgroup says of it
# (ip netns exec gives ss a fresh /sys without cgroup2: mount it there).
ip netns exec "$ns" sh -c 'mount -t cgroup2 cgroup2 /sys/fs/cgroup && ss -Htan --cgroup' >"$PS_TMPDIR/ss.cg" ||
	ps_fail "ss --cgroup in $ns failed"
while read -r path total; do
	n=$(awk -v c="cgroup:$path" '$NF == c' "$PS_TMPDIR/ss.cg" | wc -l)
	[ "$n" = "$total" ] || ps_fail "cgroup $path: $total sockets, ss --cgroup says $n: $(cat "$PS_TMPDIR/ss.cg")"
done < <(jq -r '.cgroups[] | select(.cgroup != null) | "\(.cgroup) \(.total)"' <<<"$cg")
if [ -n "$CGDIR" ]; then
	[ "$(jq -c ".cgroups[] | select(.cgroup == \"/pstest-$$\") | [.total, .states]" <<<"$cg")" = \
	  "[$((LEAKS + 1)),{\"listen\":1,\"close_wait\":$LEAKS}]" ] || ps_fail "leakysrv's cgroup: $(jq -c .cgroups <<<"$cg")"
fi
echo "ok: --by cgroup exact per cgroup, = ss --cgroup"

# A process's cgroup is its own, the sockets' are their creator's: move
# leakysrv (its sockets stay where they were made).
if [ -n "$CGDIR" ] && mkdir "$mnt/pstest-$$-moved" 2>/dev/null; then
	CGMOVED=$mnt/pstest-$$-moved
	echo "$leaky" > "$CGMOVED/cgroup.procs" || ps_fail "cannot move $leaky"
	[ "$("$PORTSTAT" -N "$ns" --by process -f json | jq -r ".processes[] | select(.pid == $leaky) | .cgroup")" = \
	  "/pstest-$$-moved" ] || ps_fail "--by process does not show leakysrv's new cgroup"
	[ "$("$PORTSTAT" -N "$ns" --by cgroup -f json | jq -c ".cgroups[] | select(.cgroup == \"/pstest-$$\") | .total")" = \
	  $((LEAKS + 1)) ] || ps_fail "--by cgroup moved the sockets with their process"
	echo "ok: a moved process shows its new cgroup, its sockets their creator's"
fi
