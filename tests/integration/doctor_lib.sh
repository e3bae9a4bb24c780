# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# doctor_lib.sh - the doctor pathologies' lab, sourced after lib.sh by
# it_doctor.sh (which checks doctor live on them) and by
# tests/fixtures/make-doctor.sh (which records them for the golden files):
# doctor_lab.py started in a namespace, held by a fifo on its stdin, and
# stopped by lab_cleanup, which also runs ps_cleanup.

DOCTOR_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3
LAB="$DOCTOR_LIB_DIR/doctor_lab.py"
LAB_PIDS=()
LAB_FDS=()

lab_cleanup() {
	local fd pid
	for fd in "${LAB_FDS[@]}"; do
		exec {fd}>&-
	done
	LAB_FDS=()
	for pid in "${LAB_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	LAB_PIDS=()
	ps_cleanup
}
trap 'lab_cleanup' EXIT
trap 'lab_cleanup; trap - EXIT; exit 130' INT
trap 'lab_cleanup; trap - EXIT; exit 143' TERM
# ps_netns_new must not put ps_cleanup alone in its place.
PS_TRAP_SET=1

# lab NS MODE PORT COUNT: start doctor_lab.py in NS, its stdin a fifo we
# hold open, and wait (bounded) for "ready".
lab() {
	local ns=$1 out fifo fd i
	ps_tmpdir
	out="$PS_TMPDIR/lab-${#LAB_PIDS[@]}.out"
	fifo="$PS_TMPDIR/lab-${#LAB_PIDS[@]}.fifo"
	mkfifo "$fifo"
	# ip netns exec execs python: $! is the lab's own pid.
	ip netns exec "$ns" "$PY" "$LAB" "$2" "$3" "$4" <"$fifo" >"$out" 2>&1 &
	LAB_PIDS+=($!)
	exec {fd}>"$fifo"
	LAB_FDS+=("$fd")
	for ((i = 0; i < 200; i++)); do
		grep -q '^ready' "$out" && return 0
		kill -0 "${LAB_PIDS[-1]}" 2>/dev/null || ps_fail "lab $2 died: $(cat "$out")"
		sleep 0.05
	done
	ps_fail "lab $2 not ready: $(cat "$out")"
}

netstat_field() { # NS FIELD: TcpExt FIELD of the namespace
	ip netns exec "$1" awk -v f="$2" '/^TcpExt:/ { if (!n) { for (i = 2; i <= NF; i++) if ($i == f) c = i; n = 1 } else print $c }' /proc/net/netstat
}

# count_state NS STATE N: wait (bounded) until NS holds N sockets in ss's
# STATE; 0 when it does, 1 when it never did.
count_state() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(ip netns exec "$1" ss -Htan state "$2" | wc -l)" = "$3" ] && return 0
		sleep 0.05
	done
	return 1
}

# synflood_ns NS: the veth end 10.0.0.1 whose peer nobody reads, for the
# synflood mode (its SYN-ACKs go out and are never answered).
synflood_ns() {
	ip netns exec "$1" ip link add pst-v0 type veth peer name pst-v1 || ps_fail "veth"
	ip netns exec "$1" ip link set pst-v0 up || ps_fail "veth up"
	ip netns exec "$1" ip addr add 10.0.0.1/24 dev pst-v0 || ps_fail "veth address"
}
