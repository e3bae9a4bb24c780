# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# shellcheck disable=SC2034  # the PS_* results are read by the sourcing test
# lib.sh - helpers sourced by portstat's integration tests.  It owns the
# test-side lifecycle of network namespaces and popgen processes: creating
# namespaces, starting popgen and waiting for its "ready {...}" line,
# stopping it, counting sockets with ss, copying programs where another user
# can run them, and cleaning up everything it started or made (by pid / by
# name) on EXIT, INT and TERM, even when a test fails.
#
# Environment: POPGEN (popgen binary), PORTSTAT (portstat binary).
# The cleanup is installed as the EXIT/INT/TERM trap by ps_netns_new and
# ps_popgen_start; a test that needs its own EXIT trap must call
# ps_cleanup from it.
# Exit codes used: 0 pass, 1 fail (ps_fail), 77 skip (ps_require_root).

PS_NETNS_LIST=()        # namespaces this shell created
# valgrind's suppressions for libbpf's bpf() attrs (the BPF owner backend).
PS_VG_SUPP="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/valgrind.supp"
PS_POPGEN_PIDS=()       # popgen pids this shell started (cleanup kills them)
declare -A PS_POPGEN_FDS=()  # pid -> write end of that popgen's stdin fifo
PS_POPGEN_PID=""        # the most recently started popgen
PS_POPGEN_FD=""         # write end of its stdin fifo
PS_READY=""             # JSON of its ready line
PS_POPGEN_OUT=""        # its stdout / stderr files
PS_POPGEN_ERR=""
PS_TMPDIR=""
PS_REACH_DIR=""         # 0755 directory of copies other users can run
PS_NETNS_SEQ=0
PS_POPGEN_SEQ=0
PS_TRAP_SET=""

# Names ss -Htan prints -> portstat's state names.
declare -A PS_SS_STATE=(
	[LISTEN]=listen [ESTAB]=established [SYN-SENT]=syn_sent
	[SYN-RECV]=syn_recv [FIN-WAIT-1]=fin_wait1 [FIN-WAIT-2]=fin_wait2
	[TIME-WAIT]=time_wait [UNCONN]=close [CLOSE]=close
	[CLOSE-WAIT]=close_wait [LAST-ACK]=last_ack [CLOSING]=closing
)
PS_STATES="listen established syn_sent syn_recv fin_wait1 fin_wait2 time_wait close close_wait last_ack closing"

ps_fail() {
	echo "FAIL: $*" >&2
	exit 1
}

ps_log() {
	echo "# $*" >&2
}

ps_require_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: needs root (network namespaces)" >&2
		exit 77
	fi
	local probe="pstest-$$-probe"
	if ! ip netns add "$probe" 2>/dev/null; then
		echo "SKIP: 'ip netns add' is not possible here" >&2
		exit 77
	fi
	ip netns del "$probe" 2>/dev/null
	command -v ss >/dev/null || ps_fail "ss (iproute2) not found"
}

# Idempotent: safe to run from several traps and more than once.
ps_cleanup() {
	local pid ns i fd
	# EOF on stdin first: every popgen starts its clean exit at once.
	for fd in "${PS_POPGEN_FDS[@]}"; do
		exec {fd}>&-
	done
	PS_POPGEN_FDS=()
	PS_POPGEN_FD=""
	for pid in "${PS_POPGEN_PIDS[@]}"; do
		# popgen stops its workers and exits; give it a bounded moment,
		# then TERM, then KILL (its workers die with it: PDEATHSIG).
		for ((i = 0; i < 150; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			[ "$i" = 100 ] && kill -TERM "$pid" 2>/dev/null
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	PS_POPGEN_PIDS=()
	for ns in "${PS_NETNS_LIST[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	PS_NETNS_LIST=()
	if [ -n "$PS_TMPDIR" ]; then
		rm -rf "$PS_TMPDIR"
		PS_TMPDIR=""
	fi
	if [ -n "$PS_REACH_DIR" ]; then
		rm -rf "$PS_REACH_DIR"
		PS_REACH_DIR=""
	fi
}

ps_set_trap() {
	[ -n "$PS_TRAP_SET" ] && return
	PS_TRAP_SET=1
	trap 'ps_cleanup' EXIT
	trap 'ps_cleanup; trap - EXIT; exit 130' INT
	trap 'ps_cleanup; trap - EXIT; exit 143' TERM
}

ps_tmpdir() {
	if [ -z "$PS_TMPDIR" ]; then
		PS_TMPDIR=$(mktemp -d /tmp/pstest-$$-XXXXXX) || ps_fail "mktemp failed"
	fi
}

# ps_reachable_copy SRC [VAR] [USER]: copy SRC (a program or script) where
# USER (default nobody) can run it and store the copy's path in VAR (default
# PS_REACHABLE).  The checkout may live where only root can enter (/root is
# 0700, so is a mktemp -d directory): a test that runs one of our programs
# as another user runs this copy instead, never the build tree's file.  The
# copies live in one fresh 0755 directory under /tmp that ps_cleanup
# removes.  Fails (never skips) when USER still cannot run the copy, e.g.
# /tmp mounted noexec.  Not for $(...): the subshell would lose the
# cleanup registration.
ps_reachable_copy() {
	local _ps_src=$1 _ps_var=${2:-PS_REACHABLE} _ps_user=${3:-nobody} _ps_dst
	[ -f "$_ps_src" ] || ps_fail "ps_reachable_copy: no file $_ps_src"
	ps_set_trap
	if [ -z "$PS_REACH_DIR" ]; then
		PS_REACH_DIR=$(mktemp -d /tmp/pstest-$$-reach-XXXXXX) || ps_fail "mktemp failed"
		chmod 0755 "$PS_REACH_DIR" || ps_fail "chmod $PS_REACH_DIR failed"
	fi
	_ps_dst="$PS_REACH_DIR/${_ps_src##*/}"
	cp "$_ps_src" "$_ps_dst" && chmod 0755 "$_ps_dst" ||
		ps_fail "cannot copy $_ps_src to $_ps_dst"
	runuser -u "$_ps_user" -- test -r "$_ps_dst" -a -x "$_ps_dst" ||
		ps_fail "$_ps_user cannot run $_ps_dst (is /tmp noexec?)"
	printf -v "$_ps_var" '%s' "$_ps_dst"
}

# ps_netns_new [VAR]: create namespace pstest-$$-<n> with lo up and store
# its name in VAR (default PS_NS).  Not for $(...): the subshell would lose
# the cleanup registration.
ps_netns_new() {
	# Locals are prefixed so they never shadow the caller's VAR.
	local _ps_var=${1:-PS_NS} _ps_ns
	ps_set_trap
	PS_NETNS_SEQ=$((PS_NETNS_SEQ + 1))
	_ps_ns="pstest-$$-$PS_NETNS_SEQ"
	ip netns add "$_ps_ns" || ps_fail "ip netns add $_ps_ns failed"
	PS_NETNS_LIST+=("$_ps_ns")
	ip -n "$_ps_ns" link set lo up || ps_fail "cannot bring lo up in $_ps_ns"
	printf -v "$_ps_var" '%s' "$_ps_ns"
}

# ps_popgen_start NS ARGS...: start popgen in NS with its stdin on a fifo we
# hold open, wait (bounded) for its ready line, set PS_READY to the JSON.
ps_popgen_start() {
	local ns=$1 i out err fifo line fd
	shift
	if [ -z "${POPGEN:-}" ] || [ ! -x "$POPGEN" ]; then
		ps_fail "POPGEN is not set to an executable (got '${POPGEN:-}')"
	fi
	ps_set_trap
	ps_tmpdir
	PS_POPGEN_SEQ=$((PS_POPGEN_SEQ + 1))
	i=$PS_POPGEN_SEQ
	fifo="$PS_TMPDIR/popgen-$i.in"
	out="$PS_TMPDIR/popgen-$i.out"
	err="$PS_TMPDIR/popgen-$i.err"
	mkfifo "$fifo" || ps_fail "mkfifo failed"
	# Read-write open does not block on a fifo; popgen sees EOF once we
	# close this, our only writer.
	exec {fd}<>"$fifo"
	# The child must hold no writer of any popgen's fifo (this one or an
	# earlier one), or that popgen would never see EOF.  The subshell
	# execs ip, which execs popgen, so $! is popgen's pid.
	(
		for f in "${PS_POPGEN_FDS[@]}" "$fd"; do
			exec {f}>&-
		done
		exec ip netns exec "$ns" "$POPGEN" "$@" <"$fifo" >"$out" 2>"$err"
	) &
	PS_POPGEN_PID=$!
	PS_POPGEN_FD=$fd
	PS_POPGEN_FDS[$PS_POPGEN_PID]=$fd
	PS_POPGEN_PIDS+=("$PS_POPGEN_PID")
	PS_POPGEN_OUT=$out
	PS_POPGEN_ERR=$err
	PS_READY=""
	for ((i = 0; i < 1800; i++)); do      # 180 s
		line=$(grep -m1 '^ready ' "$out" 2>/dev/null)
		if [ -n "$line" ]; then
			PS_READY=${line#ready }
			return 0
		fi
		if ! kill -0 "$PS_POPGEN_PID" 2>/dev/null; then
			wait "$PS_POPGEN_PID"
			ps_fail "popgen $* exited (status $?) before ready: $(cat "$err")"
		fi
		sleep 0.1
	done
	ps_fail "popgen $* not ready within 180 s: $(cat "$err")"
}

# ps_popgen_stop [PID]: close that popgen's stdin (default: the most
# recently started one; it exits on EOF), wait bounded, then escalate to
# TERM and KILL.  Returns popgen's exit status.
ps_popgen_stop() {
	local pid=${1:-$PS_POPGEN_PID} i rc p fd keep=()
	[ -n "$pid" ] || return 0
	fd=${PS_POPGEN_FDS[$pid]:-}
	if [ -n "$fd" ]; then
		exec {fd}>&-
		unset "PS_POPGEN_FDS[$pid]"
	fi
	[ "$pid" = "$PS_POPGEN_PID" ] && PS_POPGEN_FD=""
	for ((i = 0; i < 300; i++)); do       # 30 s
		kill -0 "$pid" 2>/dev/null || break
		[ "$i" = 200 ] && kill -TERM "$pid" 2>/dev/null
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid"
	rc=$?
	for p in "${PS_POPGEN_PIDS[@]}"; do
		[ "$p" != "$pid" ] && keep+=("$p")
	done
	PS_POPGEN_PIDS=("${keep[@]}")
	[ "$pid" = "$PS_POPGEN_PID" ] && PS_POPGEN_PID=""
	return "$rc"
}

# ps_ss_counts NS: "state count" lines for every portstat state, from ss.
ps_ss_counts() {
	local ns=$1 st n name
	declare -A c=()
	for name in $PS_STATES; do c[$name]=0; done
	while read -r n st; do
		[ -n "$st" ] || continue
		name=${PS_SS_STATE[$st]:-other_$st}
		c[$name]=$(( ${c[$name]:-0} + n ))
	done < <(ip netns exec "$ns" ss -Htan | awk '{print $1}' | sort | uniq -c)
	for name in $PS_STATES; do echo "$name ${c[$name]}"; done
	for name in "${!c[@]}"; do
		case " $PS_STATES " in *" $name "*) ;; *) echo "$name ${c[$name]}" ;; esac
	done
}

# ps_json_counts JSON: the same "state count" lines from a ready line.
ps_json_counts() {
	local name
	for name in $PS_STATES; do
		echo "$name $(jq -r --arg k "$name" '.[$k] // 0' <<<"$1")"
	done
}
