#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Unprivileged: 'portstat leaks' run as nobody counts exactly what root
# counts; owners of other users' sockets (popgen's, root) show as "?" with
# one note on stderr saying why; its own user's (a leaking server run as
# nobody) are named; the exit status is the same as root's.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/leaks_lib.sh"
ps_require_root
id nobody >/dev/null 2>&1 || { echo "SKIP: no user nobody" >&2; exit 77; }
# The build tree may be where nobody cannot enter (a checkout under /root):
# nobody runs copies (leaks_lib.sh copies leaker.py itself).
ps_reachable_copy "$PORTSTAT" user_portstat

CW=25 MINE=4
ps_netns_new ns
lk_set_trap
ps_popgen_start "$ns" --close-wait $CW --port-base 20000
lk_server "$ns" 8081 leak nobodysrv nobody
mine=$LK_SRV_PID
lk_client "$ns"
[ "$(lk_do open 8081 $MINE)" = "opened $MINE" ] || ps_fail "client open"
[ "$(lk_do fin)" = "fin $MINE" ] || ps_fail "client fin"
lk_wait_ss "$ns" $((CW + MINE)) state close-wait

groups='[.groups[] | {port, count, recv_q_bytes, peers, owners: [.processes[] | [.comm, .count]]}]'
root=$("$PORTSTAT" leaks -N "$ns" -f json 2>"$PS_TMPDIR/root.err") || ps_fail "root run failed"
[ ! -s "$PS_TMPDIR/root.err" ] || ps_fail "root run printed: $(cat "$PS_TMPDIR/root.err")"
# 'ip netns exec' before runuser: entering a namespace needs root, the
# dump inside it does not.
user=$(ip netns exec "$ns" runuser -u nobody -- "$user_portstat" leaks -f json 2>"$PS_TMPDIR/user.err"); rc=$?
[ "$rc" = 0 ] || ps_fail "nobody: exit $rc, want 0: $(cat "$PS_TMPDIR/user.err")"

want_root="[{\"port\":20002,\"count\":$CW,\"recv_q_bytes\":0,\"peers\":[{\"addr\":\"127.0.0.1\",\"count\":$CW}],\"owners\":[[\"popgen\",$CW]]},{\"port\":8081,\"count\":$MINE,\"recv_q_bytes\":0,\"peers\":[{\"addr\":\"127.0.0.1\",\"count\":$MINE}],\"owners\":[[\"nobodysrv\",$MINE]]}]"
[ "$(jq -c "$groups" <<<"$root")" = "$want_root" ] || ps_fail "root: $(jq -c "$groups" <<<"$root")"
want_user=${want_root/\[\"popgen\",$CW\]/[\"?\",$CW]}
[ "$(jq -c "$groups" <<<"$user")" = "$want_user" ] || ps_fail "nobody: $(jq -c "$groups" <<<"$user")"
[ "$(jq -c '.groups[0].processes | map(del(.cgroup))' <<<"$user")" = "[{\"pid\":0,\"comm\":\"?\",\"count\":$CW}]" ] ||
	ps_fail "unknown owner is not pid 0 / \"?\": $(jq -c '.groups[0].processes' <<<"$user")"
[ "$(jq -c '.groups[1].processes[0].pid' <<<"$user")" = "$mine" ] || ps_fail "nobody's own server not named"
[ "$(wc -l < "$PS_TMPDIR/user.err")" = 1 ] &&
	grep -q "owners of $CW sockets unknown" "$PS_TMPDIR/user.err" ||
	ps_fail "want one note on the $CW unknown owners: $(cat "$PS_TMPDIR/user.err")"
echo "ok: nobody counts exactly, names its own, '?' for root's, one note"

# Same status as root at a threshold, and the text verdict says "?".
for args in "--crit 10" "--warn 10 --crit 30" "--warn 30"; do
	# shellcheck disable=SC2086
	"$PORTSTAT" leaks -N "$ns" $args >/dev/null 2>&1; a=$?
	# shellcheck disable=SC2086
	ip netns exec "$ns" runuser -u nobody -- "$user_portstat" leaks $args >"$PS_TMPDIR/t" 2>/dev/null; b=$?
	[ "$a" = "$b" ] || ps_fail "leaks $args: root exit $a, nobody exit $b"
done
verdict=$(ip netns exec "$ns" runuser -u nobody -- "$user_portstat" leaks --crit 10 2>/dev/null | head -1)
grep -qx "CRITICAL: $CW CLOSE_WAIT on :20002 held by ? (owner unknown), oldest [0-9]*s | 'close_wait'=[0-9]*;;10;0 'oldest_close_wait'=[0-9]*s;;;0" <<<"$verdict" ||
	ps_fail "nobody verdict: $verdict"
echo "it_leaks_nobody: passed"
