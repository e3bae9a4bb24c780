#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Faults injected where the kernel's replies arrive (tests/faults/nlfault.c,
# LD_PRELOAD around recvmsg), against a real population: a retry where one
# can help (EINTR, ENOBUFS) with exact counts after it, and otherwise a
# clear one-line error and exit 1 -- never quietly wrong numbers.  Then
# --write into a full and into a read-only filesystem keeps the old file.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
ps_require_root
[ -n "${NLFAULT_LIB:-}" ] && [ -f "$NLFAULT_LIB" ] || ps_fail "NLFAULT_LIB not built"
# Sanitizer builds insist on coming first among preloaded libraries.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0

ps_netns_new ns
# Enough sockets that every dump spans several datagrams.
ps_popgen_start "$ns" --established 600 --close-wait 20 --port-base 26000
want=$((1200 + 40 + 2))
ps_tmpdir
out=$PS_TMPDIR/out err=$PS_TMPDIR/err

run() {	# SPEC [ENV...] -- runs portstat -f json $ARGS with NLFAULT=SPEC
	local spec=$1
	shift
	# shellcheck disable=SC2086 # ARGS is deliberately word-split
	env NLFAULT="$spec" LD_PRELOAD="$NLFAULT_LIB" "$@" "$PORTSTAT" -N "$ns" -f json ${ARGS:-} > "$out" 2> "$err"
}

# recover SPEC [ENV...]: the fault is absorbed, counts are exact.
recover() {
	run "$@"
	local rc=$?
	[ "$rc" = 0 ] || ps_fail "$1: exit $rc: $(cat "$err")"
	[ "$(jq .sockets "$out")" = "$want" ] || ps_fail "$1: counted $(jq .sockets "$out"), want $want"
	[ "$(jq 'has("complete")' "$out")" = false ] || ps_fail "$1: marked incomplete"
	echo "ok: $1 recovered"
}

# refuse SPEC MESSAGE: exit 1, one line naming the problem, no table.
refuse() {
	run "$1"
	local rc=$?
	[ "$rc" = 1 ] || ps_fail "$1: exit $rc, want 1"
	[ "$(wc -l < "$err")" = 1 ] && grep -qF -- "$2" "$err" || ps_fail "$1: stderr: $(cat "$err")"
	[ ! -s "$out" ] || ps_fail "$1: printed a table: $(head -c 200 "$out")"
	echo "ok: $1 refused: $(cat "$err")"
}

run none; [ "$(jq .sockets "$out")" = "$want" ] || ps_fail "baseline: $(jq .sockets "$out")"
recover eintr:2
recover eintr:1
recover enobufs:3
recover enobufs:2 PORTSTAT_SPLIT=2
refuse eagain:2 "Resource temporarily unavailable"
refuse truncate:2 "truncated netlink message"
refuse seq:2 "unexpected sequence number"
refuse portid:2 "unexpected port id"
# A socket of the wrong family can only be told in a one-family dump.
ARGS=-4 refuse family:3 "IPv6 socket in a dump of IPv4 sockets"
refuse error:2 "Operation not permitted"

# ENOBUFS that never stops: three attempts, then the partial table marked
# incomplete, a warning, exit 1.
run enobufs:2+
rc=$?
[ "$rc" = 1 ] || ps_fail "enobufs:2+: exit $rc"
[ "$(jq .complete "$out")" = false ] || ps_fail "enobufs:2+: not marked incomplete: $(head -c 300 "$out")"
jq -r .error "$out" | grep "ENOBUFS.*after 3 attempts" >/dev/null || ps_fail "enobufs:2+: error $(jq .error "$out")"
grep -q "^portstat: incomplete sample" "$err" || ps_fail "enobufs:2+: no warning"
echo "ok: enobufs:2+ incomplete after 3 attempts"

# A share of a split sample that fails: its message reaches the user.
env NLFAULT=error:4 LD_PRELOAD="$NLFAULT_LIB" PORTSTAT_SPLIT=2 "$PORTSTAT" -N "$ns" -f json > "$out" 2> "$err"
rc=$?
[ "$rc" = 1 ] && grep -q "Operation not permitted" "$err" || ps_fail "split share error: exit $rc: '$(cat "$err")'"
echo "ok: a failing share's error is reported: $(cat "$err")"

# A recording of a sample that stayed incomplete replays as incomplete
# (the same partial table and warning), not as a damaged file.
env NLFAULT=enobufs:2+ LD_PRELOAD="$NLFAULT_LIB" "$PORTSTAT" -N "$ns" -f json \
	--record "$PS_TMPDIR/partial.rec" > "$PS_TMPDIR/live.json" 2> /dev/null
"$PORTSTAT" --replay "$PS_TMPDIR/partial.rec" -f json > "$PS_TMPDIR/replayed.json" 2> "$err"
rc=$?
[ "$rc" = 1 ] && grep -q "^portstat: incomplete sample" "$err" || ps_fail "partial replay: exit $rc: $(cat "$err")"
[ "$(jq -c 'del(.error, .netns)' "$PS_TMPDIR/live.json")" = "$(jq -c 'del(.error, .netns)' "$PS_TMPDIR/replayed.json")" ] ||
	ps_fail "partial replay differs: $(head -c 300 "$PS_TMPDIR/replayed.json")"
echo "ok: an incomplete recorded sample replays as incomplete"

# --write into a full filesystem, then a read-only one: the old file stays.
mnt=$PS_TMPDIR/small
mkdir "$mnt"
mount -t tmpfs -o size=64k tmpfs "$mnt" || ps_fail "cannot mount a tmpfs"
trap 'umount "$mnt" 2>/dev/null; ps_cleanup' EXIT
"$PORTSTAT" -N "$ns" -f prometheus --write "$mnt/portstat.prom" || ps_fail "first --write failed"
cp "$mnt/portstat.prom" "$PS_TMPDIR/before"
dd if=/dev/zero of="$mnt/fill" bs=4k 2>/dev/null	# fills the filesystem
"$PORTSTAT" -N "$ns" -f json --by local --write "$mnt/portstat.prom" 2> "$err"
rc=$?
[ "$rc" = 1 ] && grep -q "No space left on device" "$err" || ps_fail "full fs: exit $rc: $(cat "$err")"
cmp -s "$mnt/portstat.prom" "$PS_TMPDIR/before" || ps_fail "full fs: the old file changed"
[ "$(ls "$mnt")" = "$(printf 'fill\nportstat.prom')" ] || ps_fail "full fs left: $(ls "$mnt")"
rm "$mnt/fill"
mount -o remount,ro "$mnt"
"$PORTSTAT" -N "$ns" -f json --write "$mnt/portstat.prom" 2> "$err"
rc=$?
[ "$rc" = 1 ] && grep -q "Read-only file system" "$err" || ps_fail "ro fs: exit $rc: $(cat "$err")"
cmp -s "$mnt/portstat.prom" "$PS_TMPDIR/before" || ps_fail "ro fs: the old file changed"
umount "$mnt"
echo "ok: --write keeps the old file on a full and a read-only filesystem"
echo "it_faults: 1 passed, 0 failed"
