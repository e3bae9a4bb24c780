# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# leaks_lib.sh - helpers for the it_leaks*.sh tests, sourced after lib.sh.
# It owns the leaker.py processes a test starts (servers and clients):
# starting them inside a namespace, waiting for their replies, and killing
# them (by pid) on exit before lib.sh's cleanup deletes the namespaces.

LK_PY=/usr/bin/python3
LK_LEAKER="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/leaker.py"
LK_PIDS=()              # pids this shell started (ip/runuser/python)
LK_SRV_PIDS=()          # python server pids they reported
LK_CLIENT_FD=""
LK_CLIENT_OUT=""
LK_CLIENT_FDS=()        # every client's fd, the current one included
LK_SRV_PID=""
LK_SEQ=0

lk_cleanup() {
	local p
	for p in "${LK_CLIENT_FDS[@]}"; do
		exec {p}>&-
	done
	LK_CLIENT_FDS=() LK_CLIENT_FD=""
	for p in "${LK_SRV_PIDS[@]}" "${LK_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${LK_PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	LK_PIDS=() LK_SRV_PIDS=()
	ps_cleanup
}

lk_set_trap() {
	trap 'lk_cleanup' EXIT
	trap 'lk_cleanup; trap - EXIT; exit 130' INT
	trap 'lk_cleanup; trap - EXIT; exit 143' TERM
}

# lk_server NS PORT leak|close NAME [USER]: start a server, wait (bounded)
# for its "ready PID" line; LK_SRV_PID is the server's own pid.
lk_server() {
	local ns=$1 port=$2 mode=$3 name=$4 user=${5:-} out i line
	local run=() leaker=$LK_LEAKER
	ps_tmpdir
	LK_SEQ=$((LK_SEQ + 1))
	out="$PS_TMPDIR/server-$LK_SEQ.out"
	: >"$out"
	if [ -n "$user" ]; then
		run=(runuser -u "$user" --)
		# The checkout may be where $user cannot enter: run a copy.
		ps_reachable_copy "$LK_LEAKER" leaker "$user"
	fi
	ip netns exec "$ns" "${run[@]}" "$LK_PY" "$leaker" server "$port" "$mode" "$name" \
		>"$out" 2>&1 </dev/null &
	LK_PIDS+=("$!")
	for ((i = 0; i < 100; i++)); do
		line=$(grep -m1 '^ready ' "$out")
		if [ -n "$line" ]; then
			LK_SRV_PID=${line#ready }
			LK_SRV_PIDS+=("$LK_SRV_PID")
			return 0
		fi
		sleep 0.1
	done
	ps_fail "server $name on :$port not ready: $(cat "$out")"
}

# lk_client NS: start a client with its stdin on a fifo we hold; lk_do
# talks to the last one started.  A test that drives clients in several
# namespaces saves LK_CLIENT_FD and LK_CLIENT_OUT to switch back.
lk_client() {
	local ns=$1 fifo
	ps_tmpdir
	LK_SEQ=$((LK_SEQ + 1))
	fifo="$PS_TMPDIR/client-$LK_SEQ.in"
	LK_CLIENT_OUT="$PS_TMPDIR/client-$LK_SEQ.out"
	: >"$LK_CLIENT_OUT"	# lk_do counts its lines before the client runs
	mkfifo "$fifo" || ps_fail "mkfifo"
	exec {LK_CLIENT_FD}<>"$fifo"
	LK_CLIENT_FDS+=("$LK_CLIENT_FD")
	ip netns exec "$ns" "$LK_PY" "$LK_LEAKER" client <"$fifo" >"$LK_CLIENT_OUT" 2>&1 &
	LK_PIDS+=("$!")
}

# lk_do CMD...: send one command, wait (bounded) for its answer, print it.
lk_do() {
	local n i
	n=$(wc -l < "$LK_CLIENT_OUT")
	echo "$*" >&"$LK_CLIENT_FD"
	for ((i = 0; i < 300; i++)); do
		if [ "$(wc -l < "$LK_CLIENT_OUT")" -gt "$n" ]; then
			tail -n 1 "$LK_CLIENT_OUT"
			return 0
		fi
		sleep 0.05
	done
	ps_fail "client: no answer to '$*': $(cat "$LK_CLIENT_OUT")"
}

# lk_ss_count NS FILTER...: sockets ss lists for an ss state/port filter.
lk_ss_count() {
	local ns=$1
	shift
	ip netns exec "$ns" ss -Htan "$@" | wc -l
}

# lk_wait_ss NS WANT FILTER...: poll (bounded, 10 s) until ss counts WANT.
lk_wait_ss() {
	local ns=$1 want=$2 i
	shift 2
	for ((i = 0; i < 200; i++)); do
		[ "$(lk_ss_count "$ns" "$@")" = "$want" ] && return 0
		sleep 0.05
	done
	ps_fail "ss $*: $(lk_ss_count "$ns" "$@") sockets, want $want"
}
