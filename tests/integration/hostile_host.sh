#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hostile_host.sh: run a command on a host made "real" (issue 11 point 8),
# to prove the suite does not depend on the host holding only what each
# test made.  Not a ctest test: a developer or CI runs, as root,
#
#   tests/integration/hostile_host.sh [--plain] CMD [ARGS...]
#   e.g. tests/integration/hostile_host.sh scripts/test -R 'allns|nobody|owners'
#
# While CMD runs, the host holds:
#   - a network namespace of the user nobody (runuser -u nobody -- unshare
#     -rn), its holder and two more processes under hostile names (invalid
#     UTF-8, ESC/CSI, CR/LF, quote, comma, backslash, leading '='), with
#     CLOSE_WAIT sockets on 127.0.0.1 and ::1, also bind-mounted under
#     /run/netns with a hostile name;
#   - /run/netns/pstest-noise-PID-empty, an empty plain file: what
#     'ip netns add/del' leaves for a moment, a namespace that cannot be
#     entered (its file is no namespace);
#   - a namespace that appears and vanishes again and again (ip netns
#     add/del in a loop).
# --plain gives the same population ordinary names, to tell a test's host
# assumption from an output that a hostile name breaks.  Everything is
# removed when CMD ends (or on INT/TERM); the exit status is CMD's.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "hostile_host.sh: needs root" >&2; exit 2; }
plain=""
[ "${1:-}" = --plain ] && { plain=1; shift; }
[ $# -gt 0 ] || { echo "usage: $0 [--plain] CMD [ARGS...]" >&2; exit 2; }
PY=/usr/bin/python3

if [ -n "$plain" ]; then
	N_H=noiseholder N_A=noise-a N_B=noise-b
	NS_NAME="pstest-noise-$$-named"
else
	N_H=$'<H\xff\xc0\xaf\e[31m\xe2\x82H>'
	N_A=$'<A\xed\xa0\x80\xc2\x9b\r\nA>'
	N_B=$'=B"q,\\\e]0;x\aB>'
	NS_NAME=$'pstest-noise-'$$$'-\xff\e[2J\r\n"q,\\=\xc2\x9b\xed\xa0\x80'
fi
EMPTY="/run/netns/pstest-noise-$$-empty"
VANISH="pstest-noise-$$-vanish"
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }

fd="" holder="" bg=() pids=() mounted="" looper=""
noise_cleanup() {
	local p i
	[ -n "$looper" ] && kill -TERM "$looper" 2>/dev/null && wait "$looper" 2>/dev/null
	ip netns del "$VANISH" 2>/dev/null
	[ -n "$fd" ] && exec {fd}>&-
	fd=""
	for p in "${pids[@]}" "${bg[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${bg[@]}"; do wait "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do
		for ((i = 0; i < 100; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
		kill -KILL "$p" 2>/dev/null
	done
	pids=() bg=()
	if [ -n "$mounted" ]; then umount "$mounted" 2>/dev/null; rm -f "$mounted"; mounted=""; fi
	rm -f "$EMPTY"
	ps_cleanup
}
ps_set_trap
trap 'noise_cleanup' EXIT
trap 'noise_cleanup; trap - EXIT; exit 130' INT
trap 'noise_cleanup; trap - EXIT; exit 143' TERM

ps_tmpdir
ps_reachable_copy "$(dirname "$0")/hostile.py" helper
mkfifo "$PS_TMPDIR/in" || exit 1
exec {fd}<>"$PS_TMPDIR/in"
(
	exec {fd}>&-
	exec runuser -u nobody -- unshare -rn sh -c 'ip link set lo up && exec "$0" "$@"' \
		"$PY" "$helper" hold "$(hex "$N_H")" "$(hex "$N_A"):33001:3" "$(hex "$N_B"):33002:2" \
		<"$PS_TMPDIR/in" >"$PS_TMPDIR/out" 2>"$PS_TMPDIR/err"
) &
bg+=("$!")
for ((i = 0; i < 200; i++)); do grep -qs '^ready ' "$PS_TMPDIR/out" && break; sleep 0.05; done
line=$(grep -m1 '^ready ' "$PS_TMPDIR/out") || { echo "noise holder not ready: $(cat "$PS_TMPDIR/err")" >&2; exit 1; }
read -r -a pids <<<"${line#ready }"
holder=${pids[0]}
mkdir -p /run/netns
: >"/run/netns/$NS_NAME" && mounted="/run/netns/$NS_NAME" &&
	mount --bind "/proc/$holder/ns/net" "/run/netns/$NS_NAME" || { echo "cannot name nobody's namespace" >&2; exit 1; }
: >"$EMPTY" || exit 1
(
	for ((i = 0; i < 100000; i++)); do
		ip netns add "$VANISH" 2>/dev/null
		ip netns del "$VANISH" 2>/dev/null
		sleep 0.02
	done
) &
looper=$!
echo "# hostile_host: nobody's namespace (holder $holder${plain:+, plain names}) named $(printf %q "$NS_NAME"), $EMPTY, $VANISH coming and going" >&2

"$@"
rc=$?
exit "$rc"
