# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# doctor_lib.sh - doctor_lab.py pathologies for the tests that need one
# (it_top_doctor), sourced after lib.sh: lab NS MODE PORT COUNT starts one
# in NS with its stdin a fifo we hold open and waits (bounded) for its
# "ready"; lab_stop closes the fifos and ends the labs, by pid.

DOCTOR_LAB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/doctor_lab.py"
LAB_PIDS=()
LAB_FDS=()

lab_stop() {
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
}

lab() {
	local ns=$1 out fifo fd i
	ps_tmpdir
	out="$PS_TMPDIR/lab-${#LAB_PIDS[@]}.out"
	fifo="$PS_TMPDIR/lab-${#LAB_PIDS[@]}.fifo"
	mkfifo "$fifo"
	# ip netns exec execs python: $! is the lab's own pid.
	ip netns exec "$ns" /usr/bin/python3 "$DOCTOR_LAB" "$2" "$3" "$4" <"$fifo" >"$out" 2>&1 &
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
