#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The two owner backends (issue 16): with PORTSTAT_OWNERS=bpf and =proc,
# --by process (JSON and text) and leaks --by process give identical owner
# tables, exact, on a namespace holding a leaking server run as nobody, a
# well-behaved server, their client and a listener shared by a parent and
# its forked child (the /proc scan's owner, the parent, under both); the
# debug note says which backend answered.  As nobody the BPF program cannot
# load: auto falls back to /proc (one note, only under PORTSTAT_DEBUG), the
# owners nobody may see are still found and the rest are "?" with /proc's
# note; forced bpf says why it failed.  Skips when the binary was built
# without the BPF backend or the kernel refuses it to root.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/leaks_lib.sh"
ps_require_root

LEAKS=9 GOOD=5
note=$(PORTSTAT_DEBUG=1 PORTSTAT_OWNERS=bpf "$PORTSTAT" --by process 2>&1 >/dev/null | grep 'owners from')
if [ "$note" != "portstat: note: owners from the BPF task_file iterator" ]; then
	echo "skip: the BPF owner backend does not run here: $note"
	exit 77
fi

SHARED=""
cleanup() {
	[ -n "$SHARED" ] && kill -TERM "$SHARED" 2>/dev/null && wait "$SHARED" 2>/dev/null
	lk_cleanup
}
ps_netns_new ns
trap cleanup EXIT
trap 'cleanup; trap - EXIT; exit 130' INT
trap 'cleanup; trap - EXIT; exit 143' TERM

lk_server "$ns" 8081 leak leakysrv nobody
leaky=$LK_SRV_PID
lk_server "$ns" 8082 close goodsrv
good=$LK_SRV_PID
lk_client "$ns"
client=${LK_PIDS[-1]}
[ "$(lk_do open 8081 $LEAKS)" = "opened $LEAKS" ] || ps_fail "client open 8081"
[ "$(lk_do open 8082 $GOOD)" = "opened $((LEAKS + GOOD))" ] || ps_fail "client open 8082"
[ "$(lk_do fin)" = "fin $((LEAKS + GOOD))" ] || ps_fail "client fin"
lk_wait_ss "$ns" $LEAKS state close-wait
lk_wait_ss "$ns" $GOOD state time-wait

# A listener held by a parent and its forked child: the first holder found
# owns it, the parent (lower pid, scanned first) under both backends.
ps_tmpdir
ip netns exec "$ns" python3 -c '
import os, signal, socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 8090)); s.listen()
c = os.fork()
if c == 0:
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    while True: time.sleep(60)
signal.signal(signal.SIGTERM, lambda *a: (os.kill(c, signal.SIGTERM), os.waitpid(c, 0), sys.exit(0)))
print("ready", os.getpid(), c, flush=True)
while True: time.sleep(60)
' >"$PS_TMPDIR/shared.out" 2>&1 </dev/null &
SHARED=$!
for ((i = 0; i < 100; i++)); do
	grep -q '^ready ' "$PS_TMPDIR/shared.out" && break
	sleep 0.1
done
read -r _ sparent schild < <(grep -m1 '^ready ' "$PS_TMPDIR/shared.out") || ps_fail "shared listener not ready: $(cat "$PS_TMPDIR/shared.out")"
[ "$sparent" = "$SHARED" ] || ps_fail "shared listener: pid $sparent, started $SHARED"

rows='[.processes[] | [.pid, .comm, .total, .states]]'
for b in proc bpf; do
	PORTSTAT_DEBUG=1 PORTSTAT_OWNERS=$b "$PORTSTAT" -N "$ns" --by process -f json \
		>"$PS_TMPDIR/$b.json" 2>"$PS_TMPDIR/$b.err" || ps_fail "$b: --by process failed: $(cat "$PS_TMPDIR/$b.err")"
	PORTSTAT_OWNERS=$b "$PORTSTAT" -N "$ns" --by process >"$PS_TMPDIR/$b.txt" 2>&1 ||
		ps_fail "$b: --by process text failed"
	# Ages (the oldest socket's) may cross a second between the two runs,
	# and "9s" and "10s" make the text columns differ in width.
	PORTSTAT_OWNERS=$b "$PORTSTAT" leaks -N "$ns" --by process --warn 100 2>&1 |
		sed -E 's/\b[0-9]+(ms|s|m[0-9]{2}s|h[0-9]{2}m|d[0-9]{2}h)\b/AGE/g; s/ +/ /g' >"$PS_TMPDIR/$b.leaks"
	echo "rc=${PIPESTATUS[0]}" >>"$PS_TMPDIR/$b.leaks"
	PORTSTAT_OWNERS=$b "$PORTSTAT" leaks -N "$ns" --by process --warn 100 -f json 2>/dev/null |
		jq -S 'del(.. | .time?, .oldest_s?, .age_s?, .oldest_age_s?)' |
		sed -E 's/\b[0-9]+(ms|s|m[0-9]{2}s|h[0-9]{2}m|d[0-9]{2}h)\b/AGE/g' >"$PS_TMPDIR/$b.leaks.json"
done
grep -q 'owners from the BPF' "$PS_TMPDIR/proc.err" && ps_fail "proc forced but a BPF note: $(cat "$PS_TMPDIR/proc.err")"
grep -qx 'portstat: note: owners from the BPF task_file iterator' "$PS_TMPDIR/bpf.err" ||
	ps_fail "bpf: no note that BPF answered: $(cat "$PS_TMPDIR/bpf.err")"
want="[[$leaky,\"leakysrv\",$((LEAKS + 1)),{\"listen\":1,\"close_wait\":$LEAKS}],\
[$client,\"python3\",$LEAKS,{\"fin_wait2\":$LEAKS}],\
[0,\"-\",$GOOD,{\"time_wait\":$GOOD}],\
[$good,\"goodsrv\",1,{\"listen\":1}],\
[$sparent,\"python3\",1,{\"listen\":1}]]"
for b in proc bpf; do
	got=$(jq -c "$rows" "$PS_TMPDIR/$b.json")
	[ "$got" = "$want" ] || ps_fail "$b: processes $got"$'\n'"want $want"
done
for b in proc bpf; do
	jq -S 'del(.time)' "$PS_TMPDIR/$b.json" >"$PS_TMPDIR/$b.cmp.json" || ps_fail "$b: bad json"
done
for f in cmp.json txt leaks leaks.json; do
	cmp -s "$PS_TMPDIR/proc.$f" "$PS_TMPDIR/bpf.$f" ||
		ps_fail "backends differ in $f:"$'\n'"$(diff "$PS_TMPDIR/proc.$f" "$PS_TMPDIR/bpf.$f")"
done
grep -q "^rc=0" "$PS_TMPDIR/bpf.leaks" && grep -q "leakysrv" "$PS_TMPDIR/bpf.leaks" &&
	[ "$(jq '[.. | .comm? | select(. == "leakysrv")] | length' "$PS_TMPDIR/bpf.leaks.json")" -ge 1 ] ||
	ps_fail "leaks: $(cat "$PS_TMPDIR/bpf.leaks" "$PS_TMPDIR/bpf.leaks.json")"
echo "ok: bpf and proc give identical owner tables (--by process json/text, leaks text/json), shared listener -> parent"

# ---- as nobody: the program cannot load ------------------------------------
ps_reachable_copy "$PORTSTAT" PSN nobody
for b in auto proc; do
	ip netns exec "$ns" runuser -u nobody -- env PORTSTAT_OWNERS=$b "$PSN" --by process -f json \
		>"$PS_TMPDIR/nobody-$b.json" 2>"$PS_TMPDIR/nobody-$b.err" || ps_fail "nobody $b: failed"
	jq -S 'del(.time)' "$PS_TMPDIR/nobody-$b.json" >"$PS_TMPDIR/nobody-$b.cmp.json" || ps_fail "nobody $b: bad json"
done
# (The notes' counts of other users' processes follow the machine's.)
cmp -s "$PS_TMPDIR/nobody-auto.cmp.json" "$PS_TMPDIR/nobody-proc.cmp.json" ||
	ps_fail "nobody: auto is not the /proc scan:"$'\n'"$(diff "$PS_TMPDIR/nobody-proc.cmp.json" "$PS_TMPDIR/nobody-auto.cmp.json"; cat "$PS_TMPDIR/nobody-auto.err")"
# nobody's own server is found; root's processes are "?", with /proc's note.
want="[[0,\"?\",$((LEAKS + 2)),{\"listen\":2,\"fin_wait2\":$LEAKS}],\
[$leaky,\"leakysrv\",$((LEAKS + 1)),{\"listen\":1,\"close_wait\":$LEAKS}],\
[0,\"-\",$GOOD,{\"time_wait\":$GOOD}]]"
got=$(jq -c "$rows" "$PS_TMPDIR/nobody-auto.json")
[ "$got" = "$want" ] || ps_fail "nobody: processes $got"$'\n'"want $want"
grep -q 'cannot be inspected without root' "$PS_TMPDIR/nobody-auto.err" ||
	ps_fail "nobody: no /proc note: $(cat "$PS_TMPDIR/nobody-auto.err")"
grep -q 'owners from' "$PS_TMPDIR/nobody-auto.err" && ps_fail "nobody: a backend note unasked: $(cat "$PS_TMPDIR/nobody-auto.err")"
# Asked, one note says why; forced bpf says it failed and exits 0.
n=$(ip netns exec "$ns" runuser -u nobody -- env PORTSTAT_DEBUG=1 "$PSN" --by process 2>&1 >/dev/null | grep -c 'owners from /proc: the BPF iterator did not load')
[ "$n" = 1 ] || ps_fail "nobody with PORTSTAT_DEBUG: $n backend notes"
ip netns exec "$ns" runuser -u nobody -- env PORTSTAT_OWNERS=bpf "$PSN" --by process >/dev/null 2>"$PS_TMPDIR/nobody-bpf.err" ||
	ps_fail "nobody, forced bpf: failed"
[ "$(cat "$PS_TMPDIR/nobody-bpf.err")" = 'portstat: note: owners unknown ("?"): PORTSTAT_OWNERS=bpf but the BPF iterator did not load: Operation not permitted' ] ||
	ps_fail "nobody, forced bpf: want one note, got: $(cat "$PS_TMPDIR/nobody-bpf.err")"
echo "ok: as nobody, auto falls back to /proc (same output as proc), one note under PORTSTAT_DEBUG; forced bpf says why"
