#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# -N PATH and -N NAME: what is not a network namespace is refused at once
# with one line naming it, status 1 (the report) and 3 (leaks, UNKNOWN):
# a FIFO (under timeout: open() must not wait for a writer), a regular
# file, a directory, a device, nsfs files of other
# namespace types, a path longer than PATH_MAX, and a name under /run/netns
# that is a plain file (as 'ip netns add' leaves it before mounting).  A
# real namespace, by name and by path, still works.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
ps_require_root

cleanup() {
	rm -f "/run/netns/pstest-$$-plain"
	ps_cleanup
}
ps_netns_new ns
ps_tmpdir
trap cleanup EXIT
trap 'cleanup; trap - EXIT; exit 130' INT
trap 'cleanup; trap - EXIT; exit 143' TERM

mkfifo "$PS_TMPDIR/fifo" || ps_fail "mkfifo"
: >"$PS_TMPDIR/file"
mkdir -p /run/netns
: >"/run/netns/pstest-$$-plain" || ps_fail "cannot create /run/netns/pstest-$$-plain"
long=/$(printf 'a%.0s' {1..5000})

# refused ARG WANT-SUBSTRING: every command refuses it with one line.
refused() {
	local arg=$1 want=$2 cmd rc want_rc shown
	shown=${arg:0:60}
	for cmd in report leaks; do
		timeout 5 "$PORTSTAT" "$cmd" -N "$arg" -f json >"$PS_TMPDIR/out" 2>"$PS_TMPDIR/err"
		rc=$?
		[ "$rc" != 124 ] || ps_fail "$cmd -N $shown: still blocked after 5 s"
		want_rc=1
		[ "$cmd" = leaks ] && want_rc=3
		[ "$rc" = "$want_rc" ] || ps_fail "$cmd -N $shown: status $rc, want $want_rc: $(cat "$PS_TMPDIR/err")"
		[ "$(wc -l <"$PS_TMPDIR/err")" = 1 ] || ps_fail "$cmd -N $shown: not one line: $(cat "$PS_TMPDIR/err")"
		grep -qF -- "$want" "$PS_TMPDIR/err" || ps_fail "$cmd -N $shown: '$(cat "$PS_TMPDIR/err")' lacks '$want'"
		# leaks prints its UNKNOWN status line; the report prints nothing.
		if [ "$cmd" = report ]; then
			[ ! -s "$PS_TMPDIR/out" ] || ps_fail "$cmd -N $shown printed: $(head -c 200 "$PS_TMPDIR/out")"
		fi
	done
}

refused "$PS_TMPDIR/fifo" "'$PS_TMPDIR/fifo' is not a network namespace: it is a FIFO"
refused "$PS_TMPDIR/file" "'$PS_TMPDIR/file' is not a network namespace: it is a plain file"
refused "$PS_TMPDIR" "is not a network namespace: it is a directory"
refused /dev/null "'/dev/null' is not a network namespace: it is a device"
refused /proc/self/ns/uts "'/proc/self/ns/uts' is not a network namespace: it is a UTS namespace"
refused /proc/self/ns/mnt "'/proc/self/ns/mnt' is not a network namespace: it is a mount namespace"
refused "$long" "(5001 bytes)' is too long (at most 4095 bytes)"
refused "pstest-$$-plain" "'pstest-$$-plain' is not a network namespace: it is a plain file"
refused "pstest-$$-none" "no network namespace 'pstest-$$-none' (nothing at /run/netns/pstest-$$-none)"
echo "ok: FIFO, file, directory, device, UTS and mount namespaces, a 5001-byte path, a plain /run/netns file, a missing name: one-line errors, nothing blocks"

# The real thing, by name (-> /run/netns/NAME) and by path.
for arg in "$ns" "/run/netns/$ns"; do
	got=$("$PORTSTAT" -N "$arg" -f json 2>"$PS_TMPDIR/err" | jq .sockets) ||
		ps_fail "-N $arg failed: $(cat "$PS_TMPDIR/err")"
	[ "$got" = 0 ] || ps_fail "-N $arg: $got sockets in an empty namespace"
done
echo "ok: a namespace by name and by path"
echo "it_netns_path: 2 passed, 0 failed"
