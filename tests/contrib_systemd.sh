#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# contrib/systemd/portstat-serve.service passes systemd-analyze verify with
# no warning at all, as shipped and with the --all-netns drop-in its
# comment gives; its ExecStart runs the binary under test.  77 without
# systemd-analyze.
set -uo pipefail
portstat=${PORTSTAT:?}
unit=$(cd "$(dirname "$0")/../contrib/systemd" && pwd)/portstat-serve.service
command -v systemd-analyze >/dev/null || { echo "SKIP: no systemd-analyze"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() {
	systemd-analyze verify --man=no "$1" >"$tmp/out" 2>&1
	rc=$?
	if [ "$rc" != 0 ] || [ -s "$tmp/out" ]; then
		echo "FAIL: $(basename "$1"): exit $rc: $(cat "$tmp/out")"
		fail=1
	fi
}
sed "s|/usr/sbin/portstat|$portstat|g" "$unit" > "$tmp/portstat-serve.service"
check "$tmp/portstat-serve.service"
# The drop-in, as a repeated [Service] section of a copy.
{
	sed "s|/usr/sbin/portstat|$portstat|g" "$unit"
	awk '/^#   \[Service\]/ { on = 1 } on && !/^#   / { exit } on { print substr($0, 5) }' "$unit" |
		sed "s|/usr/sbin/portstat|$portstat|g"
} > "$tmp/portstat-serve-allns.service"
grep -q -- '--all-netns' "$tmp/portstat-serve-allns.service" || { echo "FAIL: no drop-in found"; fail=1; }
check "$tmp/portstat-serve-allns.service"
# The command line of both is one portstat accepts.
for f in "$tmp"/*.service; do
	cmd=$(grep '^ExecStart=.' "$f" | tail -1 | cut -d= -f2-)
	# shellcheck disable=SC2086
	out=$($cmd --help 2>&1) || { echo "FAIL: $cmd --help: $out"; fail=1; }
done
[ "$fail" = 0 ] && echo "contrib_systemd: passed"
exit "$fail"
