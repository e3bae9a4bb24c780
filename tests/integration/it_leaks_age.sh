#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The age of a CLOSE_WAIT socket: the one-shot age (tcp_info's
# tcpi_last_ack_recv) is at least the time waited since the peer's FIN,
# and is not the time since the connection was made (tcpi_last_data_recv
# would be: a FIN carries no data).  Checked on this kernel through ss -ti
# too.  With -i, ages are first-seen ages that grow with the samples, and
# the age thresholds alert at the right side of the waited time.
# This test waits known times by nature: 2 s before the FIN, 2 s after.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/leaks_lib.sh"
ps_require_root

ms() { date +%s%3N; }

ps_netns_new ns
lk_set_trap
lk_server "$ns" 8081 leak leakysrv
lk_client "$ns"
[ "$(lk_do open 8081 3)" = "opened 3" ] || ps_fail "client open"
t_conn=$(ms)
sleep 2
# The FIN leaves inside lk_do, after this stamp: the time since it is at
# most t1 - t_fin_sent.  (Stamped after lk_do, a loaded machine's late
# reply made the bound too small.)
t_fin_sent=$(ms)
[ "$(lk_do fin)" = "fin 3" ] || ps_fail "client fin"
lk_wait_ss "$ns" 3 state close-wait
sleep 2

t0=$(ms)
json=$("$PORTSTAT" leaks -N "$ns" -f json) || ps_fail "leaks failed"
t1=$(ms)
age=$(jq '.groups[0].oldest_s' <<<"$json")
since_fin_max=$(( (t1 - t_fin_sent) / 1000 ))
since_conn_min=$(( (t0 - t_conn) / 1000 ))
ps_log "oldest_s $age; since FIN <= $since_fin_max s; since connect >= $since_conn_min s"
[ "$age" -ge 2 ] || ps_fail "one-shot age $age s < the 2 s waited since the FIN"
[ "$age" -le "$since_fin_max" ] || ps_fail "one-shot age $age s > the time since the FIN"
[ "$since_fin_max" -lt "$since_conn_min" ] || ps_fail "too slow to tell FIN from connect apart"
[ "$age" -lt "$since_conn_min" ] || ps_fail "age $age s is the time since connect, not since the FIN"

# The kernel's view, independently: lastack tracks the FIN, lastrcv the
# connection's start.
read -r lastack lastrcv < <(ip netns exec "$ns" ss -Htni state close-wait |
	grep -o 'lastrcv:[0-9]* lastack:[0-9]*' | head -1 | tr -c '0-9\n' ' ' | awk '{print $2, $1}')
ps_log "ss: lastack $lastack ms, lastrcv $lastrcv ms"
[ "$lastack" -ge 2000 ] && [ "$lastrcv" -ge 4000 ] && [ "$lastack" -lt "$lastrcv" ] ||
	ps_fail "ss -ti: lastack $lastack lastrcv $lastrcv"
echo "ok: one-shot age $age s is a lower bound of the time since the FIN"

# Age thresholds around the waited time.
"$PORTSTAT" leaks -N "$ns" --warn-age 1 >/dev/null; rc=$?
[ "$rc" = 1 ] || ps_fail "--warn-age 1: exit $rc, want 1"
"$PORTSTAT" leaks -N "$ns" --warn-age 1 --crit-age 1h >/dev/null; rc=$?
[ "$rc" = 1 ] || ps_fail "--warn-age 1 --crit-age 1h: exit $rc, want 1"
"$PORTSTAT" leaks -N "$ns" --crit-age 1s >/dev/null; rc=$?
[ "$rc" = 2 ] || ps_fail "--crit-age 1s: exit $rc, want 2"
"$PORTSTAT" leaks -N "$ns" --warn-age 10m >/dev/null; rc=$?
[ "$rc" = 0 ] || ps_fail "--warn-age 10m: exit $rc, want 0"
echo "ok: age thresholds"

# -i: first-seen ages never shrink and grow with the samples.
"$PORTSTAT" leaks -N "$ns" -i 1 -c 3 -f json > "$PS_TMPDIR/i.json" || ps_fail "leaks -i failed"
ages=$(jq -s -c '[.[].groups[0].oldest_s]' "$PS_TMPDIR/i.json")
ps_log "tracked ages $ages"
jq -e '.[0] >= 2 and .[1] >= .[0] and .[2] >= .[1] and (.[2] - .[0]) >= 1 and (.[2] - .[0]) <= 3' \
	<<<"$ages" >/dev/null || ps_fail "tracked ages $ages"
echo "it_leaks_age: passed"
