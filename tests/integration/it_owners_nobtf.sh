#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The BPF owner backend on a kernel whose BTF libbpf cannot read (issue 16):
# in a private mount namespace an empty file is bind-mounted over
# /sys/kernel/btf/vmlinux, so the program cannot be loaded (its CO-RE
# relocations and its attach point come from that BTF).  There, with
# PORTSTAT_OWNERS=auto, --by process and leaks --by process fall back to
# the /proc scan: output identical to PORTSTAT_OWNERS=proc's, exit 0, no
# note unless asked; with PORTSTAT_DEBUG=1 exactly one note says why; with
# PORTSTAT_OWNERS=bpf the owners are "?" and one note says the iterator did
# not load.  Outside that namespace the same run is answered by BPF (the
# fallback is the empty BTF's doing).  Skips when the binary was built
# without the BPF backend or the kernel refuses it to root.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/leaks_lib.sh"
ps_require_root

LEAKS=6
BTF=/sys/kernel/btf/vmlinux
note=$(PORTSTAT_DEBUG=1 PORTSTAT_OWNERS=bpf "$PORTSTAT" --by process 2>&1 >/dev/null | grep 'owners from')
if [ "$note" != "portstat: note: owners from the BPF task_file iterator" ]; then
	echo "skip: the BPF owner backend does not run here: $note"
	exit 77
fi
[ -f "$BTF" ] || { echo "skip: no $BTF"; exit 77; }
command -v unshare >/dev/null || { echo "skip: no unshare"; exit 77; }

ps_netns_new ns
trap 'lk_cleanup' EXIT
trap 'lk_cleanup; trap - EXIT; exit 130' INT
trap 'lk_cleanup; trap - EXIT; exit 143' TERM
ps_tmpdir
lk_server "$ns" 8081 leak leakysrv
leaky=$LK_SRV_PID
lk_client "$ns"
client=${LK_PIDS[-1]}
[ "$(lk_do open 8081 $LEAKS)" = "opened $LEAKS" ] || ps_fail "client open 8081"
[ "$(lk_do fin)" = "fin $LEAKS" ] || ps_fail "client fin"
lk_wait_ss "$ns" $LEAKS state close-wait

: >"$PS_TMPDIR/empty"
# nobtf ENV...: portstat with ENV, in a mount namespace of its own whose
# kernel BTF file is empty; stdout and stderr as portstat's.
nobtf() {
	unshare -m --propagation private sh -c '
		mount --bind "$1" "$2" || exit 99
		[ ! -s "$2" ] || exit 98
		shift 2
		exec env "$@"' sh "$PS_TMPDIR/empty" "$BTF" "$@"
}
for b in auto proc bpf; do
	nobtf PORTSTAT_OWNERS=$b "$PORTSTAT" -N "$ns" --by process -f json \
		>"$PS_TMPDIR/$b.json" 2>"$PS_TMPDIR/$b.err"
	rc=$?
	[ "$rc" = 0 ] || ps_fail "$b: --by process exit $rc: $(cat "$PS_TMPDIR/$b.err")"
	nobtf PORTSTAT_OWNERS=$b "$PORTSTAT" leaks -N "$ns" --by process -f json \
		>"$PS_TMPDIR/$b.leaks" 2>>"$PS_TMPDIR/$b.err"
	echo "rc=$?" >>"$PS_TMPDIR/$b.leaks"
done
[ -s "$BTF" ] || ps_fail "the empty BTF file leaked out of the mount namespace"

rows='[.processes[] | [.pid, .comm, .total]]'
want="[[$leaky,\"leakysrv\",$((LEAKS + 1))],[$client,\"python3\",$LEAKS]]"
got=$(jq -c "$rows" "$PS_TMPDIR/auto.json")
[ "$got" = "$want" ] || ps_fail "auto without BTF: processes $got, want $want"
[ -s "$PS_TMPDIR/auto.err" ] && ps_fail "auto without BTF: stderr unasked: $(cat "$PS_TMPDIR/auto.err")"
ages() { jq -S 'del(.time, .owners[]?.oldest_s)' | sed -E 's/\b[0-9]+(ms|s|m[0-9]{2}s|h[0-9]{2}m|d[0-9]{2}h)\b/AGE/g'; }
for f in json leaks; do
	if [ $f = leaks ]; then
		grep -v '^rc=' "$PS_TMPDIR/auto.leaks" | ages >"$PS_TMPDIR/auto.cmp"
		grep -v '^rc=' "$PS_TMPDIR/proc.leaks" | ages >"$PS_TMPDIR/proc.cmp"
		[ "$(tail -n 1 "$PS_TMPDIR/auto.leaks")" = "$(tail -n 1 "$PS_TMPDIR/proc.leaks")" ] ||
			ps_fail "leaks: exit statuses differ: auto $(tail -n 1 "$PS_TMPDIR/auto.leaks"), proc $(tail -n 1 "$PS_TMPDIR/proc.leaks")"
	else
		jq -S 'del(.time)' "$PS_TMPDIR/auto.json" >"$PS_TMPDIR/auto.cmp"
		jq -S 'del(.time)' "$PS_TMPDIR/proc.json" >"$PS_TMPDIR/proc.cmp"
	fi
	cmp -s "$PS_TMPDIR/auto.cmp" "$PS_TMPDIR/proc.cmp" ||
		ps_fail "$f: auto without BTF is not the /proc scan:"$'\n'"$(diff "$PS_TMPDIR/proc.cmp" "$PS_TMPDIR/auto.cmp")"
done
grep -q "\"comm\":\"leakysrv\"" "$PS_TMPDIR/auto.leaks" || ps_fail "leaks: leakysrv not named: $(cat "$PS_TMPDIR/auto.leaks")"
echo "ok: without BTF, auto gives the /proc scan's --by process and leaks --by process, silently"

# Asked, one note says why; forced bpf: owners unknown, and why.
nobtf PORTSTAT_DEBUG=1 "$PORTSTAT" -N "$ns" --by process >/dev/null 2>"$PS_TMPDIR/debug.err" ||
	ps_fail "PORTSTAT_DEBUG=1: failed: $(cat "$PS_TMPDIR/debug.err")"
n=$(grep -c '^portstat: note: owners from /proc: the BPF iterator did not load: no usable kernel BTF ' "$PS_TMPDIR/debug.err")
[ "$n" = 1 ] && [ "$(wc -l <"$PS_TMPDIR/debug.err")" = 1 ] ||
	ps_fail "PORTSTAT_DEBUG=1 without BTF: want one note why, got: $(cat "$PS_TMPDIR/debug.err")"
got=$(jq -c '[.processes[] | [.pid, .comm, .total]]' "$PS_TMPDIR/bpf.json")
[ "$got" = "[[0,\"?\",$((2 * LEAKS + 1))]]" ] || ps_fail "forced bpf without BTF: processes $got"
grep -qx 'portstat: note: owners unknown ("?"): PORTSTAT_OWNERS=bpf but the BPF iterator did not load: no usable kernel BTF' \
	"$PS_TMPDIR/bpf.err" || ps_fail "forced bpf without BTF: no note: $(cat "$PS_TMPDIR/bpf.err")"
echo "ok: without BTF, PORTSTAT_DEBUG=1 says why in one note ($(sed 's/.*did not load: //' "$PS_TMPDIR/debug.err")); forced bpf: owners \"?\" and why"

# The control: the same run outside is BPF's.
PORTSTAT_DEBUG=1 "$PORTSTAT" -N "$ns" --by process -f json >"$PS_TMPDIR/with.json" 2>"$PS_TMPDIR/with.err" ||
	ps_fail "with BTF: failed"
grep -qx 'portstat: note: owners from the BPF task_file iterator' "$PS_TMPDIR/with.err" ||
	ps_fail "with BTF: not BPF's: $(cat "$PS_TMPDIR/with.err")"
[ "$(jq -c "$rows" "$PS_TMPDIR/with.json")" = "$want" ] || ps_fail "with BTF: $(jq -c "$rows" "$PS_TMPDIR/with.json")"
echo "ok: with the BTF, the same run is answered by BPF, same owners"
