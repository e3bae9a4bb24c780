#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# portstat at a low fd limit (ulimit -n), in a namespace holding a leaking
# server (leakysrv, :8081, in a nested cgroup of its own where cgroup2 can
# be written), a well-behaved one (goodsrv, :8082) and their client.
#  - At ulimit -n 16 and 8 the report, --by process, --by cgroup and leaks
#    give exactly the output of an unlimited run: counts and owners.
#  - At every limit from 16 down to 4, each mode (with -N, and run inside
#    the namespace by 'ip netns exec') either gives that same output or
#    fails with a one-line "Too many open files" error and status 1 (leaks:
#    3): never exit 0 with owners lost ("?"), a process that "vanished", or
#    "no cgroup2 file system mounted" that an unlimited run does not say.
#  - A split forced by PORTSTAT_SPLIT=4 that cannot open its shares' sockets
#    uses fewer shares, with the same counts.
#  - Some limit makes the owner scan itself fail: that is the error
#    "cannot read owners: Too many open files (raise the fd limit: ...)".
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/leaks_lib.sh"
ps_require_root

LEAKS=12 GOOD=7
CGTOP="" CGDEEP=""
cleanup() {
	lk_cleanup
	[ -n "$CGDEEP" ] && rmdir "$CGDEEP" "$CGDEEP/.." 2>/dev/null
	[ -n "$CGTOP" ] && rmdir "$CGTOP" 2>/dev/null
}
ps_netns_new ns
ps_tmpdir
trap cleanup EXIT
trap 'cleanup; trap - EXIT; exit 130' INT
trap 'cleanup; trap - EXIT; exit 143' TERM

# The leaking server in a cgroup three levels down, so the cgroup walk has
# to descend while holding few descriptors.
mnt=$(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") print $5; break } }' \
	/proc/self/mountinfo | head -1)
home=$(sed -n 's/^0:://p' /proc/self/cgroup)
if [ -n "$mnt" ] && [ -n "$home" ] && mkdir "$mnt/pstest-$$" 2>/dev/null; then
	CGTOP=$mnt/pstest-$$
	mkdir -p "$CGTOP/a/b" || ps_fail "mkdir $CGTOP/a/b"
	CGDEEP=$CGTOP/a/b
	echo $BASHPID > "$CGDEEP/cgroup.procs" || ps_fail "cannot enter $CGDEEP"
fi
lk_server "$ns" 8081 leak leakysrv
leaky=$LK_SRV_PID
if [ -n "$CGDEEP" ]; then
	echo $BASHPID > "$mnt${home}/cgroup.procs" || ps_fail "cannot return to cgroup $home"
else
	ps_log "no writable cgroup2 mount: --by cgroup sees the existing cgroups only"
fi
lk_server "$ns" 8082 close goodsrv
lk_client "$ns"
[ "$(lk_do open 8081 $LEAKS)" = "opened $LEAKS" ] || ps_fail "client open 8081"
[ "$(lk_do open 8082 $GOOD)" = "opened $((LEAKS + GOOD))" ] || ps_fail "client open 8082"
[ "$(lk_do fin)" = "fin $((LEAKS + GOOD))" ] || ps_fail "client fin"
lk_wait_ss "$ns" $LEAKS state close-wait
lk_wait_ss "$ns" $LEAKS state fin-wait-2
lk_wait_ss "$ns" $GOOD state time-wait
TOTAL=$((2 + 2 * LEAKS + GOOD))

out=$PS_TMPDIR/out err=$PS_TMPDIR/err

# What a run's stdout is compared on: everything but the time (and, for
# leaks, the ages, which grow between runs).
norm() {	# MODE < JSON
	case $1 in
	leaks) jq -c '[.status, .sockets, [.groups[] | [.port, .direction, .state, .count,
		[.processes[] | [.pid, .comm, .count, .cgroup]]]]]' ;;
	*) jq -c 'del(.time)' ;;
	esac
}

# run LIMIT WHERE MODE: portstat at that fd limit, -N (WHERE=N) or inside
# the namespace (WHERE=exec); status in $rc, output in $out and $err.  Only
# stdin, stdout and stderr are passed below 10 (ctest may leave others
# open; lib.sh's fifos are all above 9).
run() {
	local limit=$1 where=$2 mode=$3 args=()
	case $mode in
	report) args=(-f json) ;;
	process | cgroup) args=(--by "$mode" -f json) ;;
	leaks) args=(leaks -f json) ;;
	esac
	if [ "$where" = N ]; then
		(closefds && ulimit -n "$limit" && exec "$PORTSTAT" "${args[@]}" -N "$ns") >"$out" 2>"$err"
	else
		(closefds && ulimit -n "$limit" && exec ip netns exec "$ns" "$PORTSTAT" "${args[@]}") >"$out" 2>"$err"
	fi
	rc=$?
}

closefds() {
	local fd
	for fd in 3 4 5 6 7 8 9; do
		eval "exec $fd>&-"
	done
}

declare -A ref refnote
for where in N exec; do
	for mode in report process cgroup leaks; do
		run "$(ulimit -n)" "$where" "$mode"
		[ "$rc" = 0 ] || ps_fail "unlimited $where $mode: status $rc: $(cat "$err")"
		ref[$where.$mode]=$(norm "$mode" <"$out")
		# 'ip netns exec' mounts a /sys of its own, without cgroup2:
		# that note is the truth there, and must be the only one.
		refnote[$where.$mode]=$(cat "$err")
	done
done

# The reference itself is exact.
r=${ref[N.report]}
[ "$(jq .sockets <<<"$r")" = $TOTAL ] || ps_fail "report counts $(jq .sockets <<<"$r"), want $TOTAL"
r=${ref[N.process]}
want="[[$leaky,\"leakysrv\",$((LEAKS + 1))],[${LK_PIDS[-1]},\"python3\",$LEAKS],[0,\"-\",$GOOD]]"
got=$(jq -c '[.processes[] | select(.comm != "goodsrv") | [.pid, .comm, .total]]' <<<"$r")
[ "$got" = "$want" ] || ps_fail "processes $got, want $want"
[ -z "${refnote[N.process]}" ] || ps_fail "--by process noted: ${refnote[N.process]}"
if [ -n "$CGDEEP" ]; then
	got=$(jq -c "[.cgroups[] | select(.cgroup == \"/pstest-$$/a/b\") | .total]" <<<"${ref[N.cgroup]}")
	[ "$got" = "[$((LEAKS + 1))]" ] || ps_fail "cgroup /pstest-$$/a/b: $(jq -c .cgroups <<<"${ref[N.cgroup]}")"
fi
r=${ref[N.leaks]}
want="[\"ok\",$LEAKS,[[8081,\"in\",\"close_wait\",$LEAKS,[[$leaky,\"leakysrv\",$LEAKS,"
[[ "$r" == "$want"* ]] || ps_fail "leaks $r, want $want..."
echo "ok: unlimited runs are exact"

# Exact at 16 and at 8, with -N.
for limit in 16 8; do
	for mode in report process cgroup leaks; do
		run "$limit" N "$mode"
		[ "$rc" = 0 ] || ps_fail "ulimit -n $limit, $mode: status $rc: $(cat "$err")"
		[ "$(norm "$mode" <"$out")" = "${ref[N.$mode]}" ] ||
			ps_fail "ulimit -n $limit, $mode:"$'\n'"$(norm "$mode" <"$out")"$'\n'"want"$'\n'"${ref[N.$mode]}"
		[ ! -s "$err" ] || ps_fail "ulimit -n $limit, $mode printed: $(cat "$err")"
	done
done
echo "ok: report, --by process, --by cgroup and leaks exact at ulimit -n 16 and 8"

# A split forced into 4 shares that cannot all be opened (each needs its
# own netlink socket and namespace files): fewer shares, the same counts.
for limit in 16 8; do
	(closefds && ulimit -n "$limit" && PORTSTAT_SPLIT=4 exec "$PORTSTAT" -f json -N "$ns" -c 2 -i 0.05) \
		>"$out" 2>"$err"
	rc=$?
	[ "$rc" = 0 ] || ps_fail "PORTSTAT_SPLIT=4 at ulimit -n $limit: status $rc: $(cat "$err")"
	[ ! -s "$err" ] || ps_fail "PORTSTAT_SPLIT=4 at ulimit -n $limit printed: $(cat "$err")"
	while read -r line; do
		[ "$(norm report <<<"$line")" = "${ref[N.report]}" ] ||
			ps_fail "PORTSTAT_SPLIT=4 at ulimit -n $limit: $line"
	done <"$out"
	[ "$(wc -l <"$out")" = 2 ] || ps_fail "PORTSTAT_SPLIT=4 at ulimit -n $limit: $(wc -l <"$out") samples"
done
echo "ok: a forced split that cannot open its shares counts exactly"

# Every limit: the whole answer, or an error that says why.
owner_errors=0
for ((limit = 16; limit >= 4; limit--)); do
	for where in N exec; do
		for mode in report process cgroup leaks; do
			run "$limit" "$where" "$mode"
			what="ulimit -n $limit, $where, $mode"
			if [ "$rc" = 0 ]; then
				[ "$(norm "$mode" <"$out")" = "${ref[$where.$mode]}" ] ||
					ps_fail "$what: exit 0 with"$'\n'"$(norm "$mode" <"$out")"$'\n'"want"$'\n'"${ref[$where.$mode]}"$'\n'"$(cat "$err")"
				[ "$(cat "$err")" = "${refnote[$where.$mode]}" ] ||
					ps_fail "$what: exit 0 but said: $(cat "$err")"
				continue
			fi
			# 'ip netns exec' itself may be what ran out: then
			# portstat never ran.
			[ "$where" = exec ] && ! grep -q '^portstat: ' "$err" && continue
			want_rc=1
			[ "$mode" = leaks ] && want_rc=3
			[ "$rc" = "$want_rc" ] || ps_fail "$what: status $rc, want 0 or $want_rc: $(cat "$err")"
			grep -q 'Too many open files' "$err" ||
				ps_fail "$what: status $rc without naming the cause: $(cat "$err")"
			[ "$(wc -l <"$err")" = 1 ] || ps_fail "$what: not one line: $(cat "$err")"
			grep -qi 'vanish\|no cgroup2\|unknown' "$err" && ps_fail "$what: $(cat "$err")"
			if grep -q '^portstat: cannot read owners: Too many open files (raise the fd limit: ulimit -n)$' "$err"; then
				owner_errors=$((owner_errors + 1))
			fi
		done
	done
done
[ "$owner_errors" -gt 0 ] || ps_fail "no limit made the owner scan fail: the error path went untested"
echo "ok: at every limit from 16 to 4, exact output or a 'Too many open files' error ($owner_errors from the owner scan)"
echo "it_owners_fdlimit: 4 passed, 0 failed"
