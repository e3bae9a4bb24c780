#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# doctor's memory follows destinations and listeners, never sockets: the
# same shape (one listener, connections from 4 source addresses to it) at
# 2,000 and 20,000 connections (4,000 and 40,000 sockets); the peak RSS
# of `portstat doctor` (/usr/bin/time) may grow by less than 16 bytes per
# socket between them (a per-socket record would cost more).  Each run's
# JSON must show the population it saw (the ephemeral check's
# destinations, the listener).  A memory assertion, never a timing one;
# skipped in sanitizer builds, whose shadow memory is not the program's.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
ps_require_root
command -v jq >/dev/null || ps_fail "jq not installed"
[ -x /usr/bin/time ] || { echo "SKIP: /usr/bin/time missing (Debian: time)"; exit 77; }
ldd "$PORTSTAT" | grep -q libasan && { echo "SKIP: sanitizer build"; exit 77; }
bound=16
B=23000

# rss N: build N connections in a fresh namespace, run doctor, set RSS
# to its peak RSS in KiB.  Not for $(...): the subshell would lose the
# cleanup registration.
rss() {
	local n=$1 ns j
	ps_netns_new ns
	ps_popgen_start "$ns" -4 --established "$n" --src-addrs 4 --port-base $B
	[ "$(ip netns exec "$ns" ss -Htan state established | wc -l)" = $((2 * n)) ] ||
		ps_fail "population of $n not built"
	/usr/bin/time -f %M -o "$PS_TMPDIR/rss" "$PORTSTAT" doctor -N "$ns" \
		>"$PS_TMPDIR/d.out" 2>"$PS_TMPDIR/d.err"
	rc=$?
	[ "$rc" = 0 ] || ps_fail "doctor at $n: exit $rc: $(cat "$PS_TMPDIR/d.out" "$PS_TMPDIR/d.err")"
	# Every connection was seen: 4 destinations (one per source address),
	# each holding n/4 local ports of the 28232 in the default range.
	grep -q "^ok        ephemeral     4 destinations, fullest $((n / 4 * 100 / 28232))% of ports 32768-60999" "$PS_TMPDIR/d.out" ||
		ps_fail "doctor at $n: $(cat "$PS_TMPDIR/d.out")"
	ps_popgen_stop >/dev/null
	RSS=$(tail -1 "$PS_TMPDIR/rss")
	[[ $RSS =~ ^[0-9]+$ ]] || ps_fail "no peak RSS at $n: $RSS"
}

small=2000 large=20000
rss $small
a=$RSS
rss $large
b=$RSS
slope=$(( (b - a) * 1024 / (2 * (large - small)) ))
echo "doctor: peak RSS $a KiB at $((2 * small)) sockets, $b KiB at $((2 * large)): $slope bytes per socket"
[ "$slope" -lt "$bound" ] || ps_fail "$slope bytes per socket (bound $bound)"
echo "it_doctor_memory: 1 passed, 0 failed"
