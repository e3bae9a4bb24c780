#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Resource bounds of a long repeating run: a few hundred samples of a
# 20,000-socket namespace, single and split, with RSS and open fds read from
# /proc early and late.  Neither may grow with the number of samples: every
# buffer and table is reused, nothing is allocated per socket or per sample.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
ps_require_root

ps_netns_new ns
ps_popgen_start "$ns" --established 9000 --close-wait 1000 --port-base 27000
ps_tmpdir

status_of() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
# ASan keeps freed memory in quarantine, so RSS means nothing there; the
# file descriptors and the counts are still checked.
sanitized=0
ldd "$PORTSTAT" | grep libasan >/dev/null && sanitized=1
fds_of() { ls "/proc/$1/fd" | wc -l; }

for split in 1 2; do
	out=$PS_TMPDIR/bounds-$split.out
	PORTSTAT_SPLIT=$split "$PORTSTAT" -N "$ns" -f json -i 0.02 -c 400 > "$out" &
	pid=$!
	wait_lines() {
		local i
		for ((i = 0; i < 1500; i++)); do
			[ "$(wc -l < "$out")" -ge "$1" ] && return 0
			kill -0 "$pid" 2>/dev/null || ps_fail "split $split: portstat ended early"
			sleep 0.02
		done
		ps_fail "split $split: no $1 samples within 30 s"
	}
	wait_lines 50
	rss1=$(status_of "$pid" VmRSS) fd1=$(fds_of "$pid")
	wait_lines 350
	rss2=$(status_of "$pid" VmRSS) fd2=$(fds_of "$pid") hwm=$(status_of "$pid" VmHWM)
	wait "$pid" || ps_fail "split $split: exit $?"
	[ "$(wc -l < "$out")" = 400 ] || ps_fail "split $split: $(wc -l < "$out") samples"
	[ "$(jq -s 'map(.sockets) | unique | length' "$out")" = 1 ] ||
		ps_fail "split $split: counts changed between samples"
	[ "$fd1" = "$fd2" ] || ps_fail "split $split: fds $fd1 -> $fd2"
	# Allow 256 KiB of noise from the allocator and stdio; a per-sample
	# leak of even one small buffer over 300 samples is more.
	if [ "$sanitized" = 0 ]; then
		[ "$rss2" -le $((rss1 + 256)) ] || ps_fail "split $split: RSS ${rss1} -> ${rss2} KiB"
		[ "$hwm" -le 16384 ] || ps_fail "split $split: peak RSS $hwm KiB > 16 MiB"
	fi
	echo "ok: split $split: RSS $rss1 -> $rss2 KiB (peak $hwm), fds $fd1 -> $fd2 over 300 samples"
done
echo "it_bounds: 1 passed, 0 failed"
