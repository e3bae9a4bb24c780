#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# portstat leaks reads /proc while processes come and go.  A stable leak
# (leakysrv holding 12 CLOSE_WAIT sockets on :8081) sits beside a churner
# (procchurn.py) that keeps starting short-lived processes which own
# CLOSE_WAIT sockets, open and close fds, fork and exit -- so processes
# exit, and fds close, between portstat's readdir and its readlink.  Every
# run must exit with the status its thresholds give, write valid JSON whose
# numbers add up (groups to sockets, owners to groups, none negative), and
# name leakysrv with its exact count; an interrupted dump may make a sample
# partial (status 3 unless critical), never a crash.  One-shot runs, then a
# few `leaks -i` runs (tracking across samples), and `--by process` when
# this portstat has it.  All of it under both owner backends: the /proc
# scan (PORTSTAT_OWNERS=proc) and the BPF task_file iterator (=bpf; that
# half is skipped, said on stdout, when it is not built in or cannot load
# here).  Under both, an owner named for a churned socket is a process
# that held a socket on that port (the churner's log): never a pid reused
# by another process, never one that did not hold it.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/leaks_lib.sh"
ps_require_root

LEAKS=12 RUNS=${RUNS:-30} IRUNS=${IRUNS:-3}
BACKENDS=(proc)
bnote=$(PORTSTAT_DEBUG=1 PORTSTAT_OWNERS=bpf "$PORTSTAT" --by process 2>&1 >/dev/null | grep 'owners from')
if [ "$bnote" = "portstat: note: owners from the BPF task_file iterator" ]; then
	BACKENDS+=(bpf)
else
	echo "skip (bpf half): the BPF owner backend does not run here: $bnote"
fi
CHURN_PY="$(cd "$(dirname "$0")" && pwd)/procchurn.py"
CH_FD=""
pr_cleanup() {
	if [ -n "$CH_FD" ]; then
		exec {CH_FD}>&-
		CH_FD=""
	fi
	lk_cleanup	# TERMs the churner by pid (LK_PIDS); its children die with it
}
ps_netns_new ns
# After ps_netns_new, which sets lib.sh's own traps.
trap 'pr_cleanup' EXIT
trap 'pr_cleanup; trap - EXIT; exit 130' INT
trap 'pr_cleanup; trap - EXIT; exit 143' TERM
lk_server "$ns" 8081 leak leakysrv
leaky=$LK_SRV_PID
lk_client "$ns"
[ "$(lk_do open 8081 $LEAKS)" = "opened $LEAKS" ] || ps_fail "client open 8081"
[ "$(lk_do fin)" = "fin $LEAKS" ] || ps_fail "client fin"
lk_wait_ss "$ns" $LEAKS state close-wait '( sport = :8081 )'

# The churner: 8 children at a time, for at most 280 s (the test's own
# bound), ended by EOF on its stdin or TERM.
mkfifo "$PS_TMPDIR/churn.in" || ps_fail "mkfifo"
: >"$PS_TMPDIR/churn.out"
exec {CH_FD}<>"$PS_TMPDIR/churn.in"
(
	exec {CH_FD}>&- {LK_CLIENT_FD}>&-
	PROCCHURN_LOG="$PS_TMPDIR/churn.log" exec ip netns exec "$ns" "$LK_PY" "$CHURN_PY" 8 280 \
		<"$PS_TMPDIR/churn.in" >"$PS_TMPDIR/churn.out" 2>"$PS_TMPDIR/churn.err"
) &
churner=$!
LK_PIDS+=("$churner")
for ((i = 0; i < 200; i++)); do
	grep -q '^ready ' "$PS_TMPDIR/churn.out" && break
	kill -0 "$churner" 2>/dev/null || ps_fail "churner died: $(cat "$PS_TMPDIR/churn.err")"
	sleep 0.05
done
grep -q '^ready ' "$PS_TMPDIR/churn.out" || ps_fail "churner not ready"
# Children of the churner in this namespace: the race is on.
churnkids() { pgrep -c -P "$churner"; }
for ((i = 0; i < 100; i++)); do
	[ "$(churnkids)" -gt 0 ] && break
	sleep 0.05
done
[ "$(churnkids)" -gt 0 ] || ps_fail "the churner runs no children"

stable="[{\"count\":$LEAKS,\"processes\":[{\"pid\":$leaky,\"comm\":\"leakysrv\",\"count\":$LEAKS}]}]"
partial=0 unowned=0 owned=0 samples=0
# check WHAT RC WANT_RC FILE: every line of FILE is one sample to check.
check() {
	local what="$OWN: $1" rc=$2 want=$3 file=$4 line n=0 status
	[ -s "$file" ] || ps_fail "$what: exit $rc, no output: $(cat "$PS_TMPDIR/err")"
	if grep -v '^portstat: \(note\|incomplete sample\): ' "$PS_TMPDIR/err" | grep . >/dev/null; then
		ps_fail "$what: exit $rc, stderr: $(cat "$PS_TMPDIR/err")"
	fi
	cat "$file" >>"$PS_TMPDIR/samples.$OWN"
	while IFS= read -r line; do
		n=$((n + 1))
		samples=$((samples + 1))
		jq -e . >/dev/null 2>&1 <<<"$line" || ps_fail "$what: sample $n is not JSON: $line"
		jq -e '
			[paths(numbers) as $p | select($p[-1] != "growth_per_min") | getpath($p) | select(. < 0)] == []
			and ([.groups[].count] | add // 0) == .sockets
			and all(.groups[]; ([.processes[].count] | add // 0) == .count)' \
			>/dev/null <<<"$line" || ps_fail "$what: sample $n does not add up: $line"
		if [ "$(jq -r '.complete // true' <<<"$line")" = false ]; then
			# A dump the kernel interrupted three times: counts are
			# lower bounds, the status CRITICAL or UNKNOWN.
			partial=$((partial + 1))
			status=$(jq -r .status <<<"$line")
			[ "$status" = critical ] || [ "$status" = unknown ] ||
				ps_fail "$what: partial sample $n with status $status"
			continue
		fi
		got=$(jq -c '[.groups[] | select(.port == 8081 and .direction == "in" and .state == "close_wait")
			     | {count, processes: [.processes[] | {pid, comm, count}]}]' <<<"$line")
		[ "$got" = "$stable" ] || ps_fail "$what: sample $n: leakysrv's group is $got, want $stable"
		unowned=$((unowned + $(jq '[.groups[].processes[] | select(.pid == 0) | .count] | add // 0' <<<"$line")))
		owned=$((owned + $(jq '[.groups[].processes[] | select(.comm == "churnkid") | .count] | add // 0' <<<"$line")))
		owned_b[$OWN]=$((${owned_b[$OWN]:-0} + $(jq '[.groups[].processes[] | select(.comm == "churnkid") | .count] | add // 0' <<<"$line")))
	done <"$file"
	# The exit status is the last sample's; partial samples have their own.
	if [ "$(tail -n 1 "$file" | jq -r '.complete // true')" = false ]; then
		[ "$rc" = 2 ] || [ "$rc" = 3 ] || ps_fail "$what: partial last sample, exit $rc"
	else
		[ "$rc" = "$want" ] || ps_fail "$what: exit $rc, want $want: $(tail -n 1 "$file")"
	fi
}

# Thresholds on the largest group (leakysrv's: every churn process holds
# at most 4): OK, WARNING, CRITICAL, and the boundaries.
thresholds=("" "--warn $((LEAKS - 1))" "--crit $((LEAKS - 1))" "--warn $LEAKS"
	    "--warn $((LEAKS - 1)) --crit $LEAKS")
want_rc=(0 1 2 0 1)
# Bounded in count and in time: a socket whose owner exited sends the scan
# through every process on the host, which takes seconds where another
# process holds a million fds; so after a few runs, a time budget ends
# each phase.  A hung run is a failure (timeout).
declare -A owned_b=()
for OWN in "${BACKENDS[@]}"; do
	export PORTSTAT_OWNERS=$OWN
	: >"$PS_TMPDIR/samples.$OWN"
	t0=$SECONDS
	for ((r = 0; r < RUNS && (r < 5 || SECONDS - t0 < 25); r++)); do
		k=$((r % ${#thresholds[@]}))
		# shellcheck disable=SC2086  # the thresholds are words
		timeout 60 "$PORTSTAT" leaks -N "$ns" -f json ${thresholds[$k]} >"$PS_TMPDIR/out" 2>"$PS_TMPDIR/err"
		check "run $r (${thresholds[$k]:-no thresholds})" $? "${want_rc[$k]}" "$PS_TMPDIR/out"
	done
	echo "ok ($OWN): $r one-shot runs in $((SECONDS - t0)) s: exit statuses per threshold, leakysrv exact"

	t0=$SECONDS
	for ((r = 0; r < IRUNS && (r < 1 || SECONDS - t0 < 12); r++)); do
		k=$((r % ${#thresholds[@]}))
		# shellcheck disable=SC2086
		timeout 60 "$PORTSTAT" leaks -N "$ns" -f json -i 0.2 -c 6 ${thresholds[$k]} \
			>"$PS_TMPDIR/out" 2>"$PS_TMPDIR/err"
		rc=$?
		[ "$(wc -l <"$PS_TMPDIR/out")" = 6 ] || ps_fail "leaks -i run $r: $(wc -l <"$PS_TMPDIR/out") samples, want 6"
		check "leaks -i run $r (${thresholds[$k]:-no thresholds})" $rc "${want_rc[$k]}" "$PS_TMPDIR/out"
	done
	echo "ok ($OWN): $r runs of leaks -i 0.2 -c 6"

	# The report's rows per process.
	for ((r = 0; r < 3; r++)); do
		timeout 60 "$PORTSTAT" -N "$ns" --by process -f json >"$PS_TMPDIR/out" 2>"$PS_TMPDIR/err"
		rc=$?
		[ "$rc" = 0 ] || [ "$rc" = 1 ] || ps_fail "--by process: exit $rc: $(cat "$PS_TMPDIR/err")"
		jq -e . "$PS_TMPDIR/out" >/dev/null || ps_fail "--by process: not JSON: $(cat "$PS_TMPDIR/out")"
		# leakysrv: its listener and its 12 CLOSE_WAIT; the rows add up.
		jq -e --argjson pid "$leaky" --argjson n $LEAKS '
			[paths(numbers) as $p | getpath($p) | select(. < 0)] == []
			and ([.processes[].total] | add // 0) == .sockets
			and ([.processes[] | select(.pid == $pid) | {comm, total, states}] ==
			     [{comm: "leakysrv", total: ($n + 1), states: {listen: 1, close_wait: $n}}])' \
			"$PS_TMPDIR/out" >/dev/null || ps_fail "--by process: $(cat "$PS_TMPDIR/out")"
	done
	echo "ok ($OWN): --by process, 3 runs"
done
unset PORTSTAT_OWNERS

exec {CH_FD}>&-
CH_FD=""
for ((i = 0; i < 200; i++)); do
	kill -0 "$churner" 2>/dev/null || break
	sleep 0.05
done
wait "$churner" 2>/dev/null
churned=$(sed -n 's/^churned //p' "$PS_TMPDIR/churn.out")
[ "${churned:-0}" -ge 50 ] || ps_fail "the churner started only ${churned:-?} processes"
# The race was run: short-lived processes were found owning sockets.
for OWN in "${BACKENDS[@]}"; do
	[ "${owned_b[$OWN]:-0}" -gt 0 ] || ps_fail "$OWN: no sample found a churned process owning its sockets"
done
# Every owner named on a churned port held a socket on it: (pid, port)
# pairs of the samples against the churner's log (complete now that it
# exited).  Not leakysrv's 8081, not unowned rows (pid 0).
awk '{ for (i = 2; i <= NF; i++) print $1, $i }' "$PS_TMPDIR/churn.log" | sort -u >"$PS_TMPDIR/held"
[ -s "$PS_TMPDIR/held" ] || ps_fail "the churner logged no sockets"
for OWN in "${BACKENDS[@]}"; do
	jq -r 'select(.groups) | .groups[] | select(.port != 8081) | .port as $p
	       | .processes[] | select(.pid != 0) | "\(.pid) \($p)"' "$PS_TMPDIR/samples.$OWN" |
		sort -u >"$PS_TMPDIR/named.$OWN"
	bad=$(comm -23 "$PS_TMPDIR/named.$OWN" "$PS_TMPDIR/held")
	[ -z "$bad" ] || ps_fail "$OWN: owners named for ports they never held a socket on (pid port): $(head -5 <<<"$bad")"
	echo "ok ($OWN): $(wc -l <"$PS_TMPDIR/named.$OWN") (owner, port) pairs named, each one the churner logged"
done
echo "ok: $samples samples beside $churned short-lived processes: churn sockets owned $owned, owner gone $unowned; $partial partial"
echo "it_procrace: passed"
