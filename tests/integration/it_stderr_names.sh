#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Untrusted bytes on stderr.  Error messages and notes embed -N paths,
# --replay/--record/--write paths, command-line values and namespace labels
# (pid:PID/COMM, where COMM is any bytes another user chose): each message
# must reach the terminal as one line without a C0 control (but its final
# newline), DEL or C1 control (raw 0x80-0x9f, or U+0080-U+009F), showing
# the bytes in their text form (\x1b) instead.
#  - -N with a path that does not exist, and with a plain file, named with
#    ESC, CSI, LF, CR, BEL and C1 bytes;
#  - --replay (report and leaks) of a missing file so named;
#  - --record onto an existing file, --write onto a FIFO, both so named;
#  - a usage error whose value holds ESC (then the "Try" line);
#  - --all-netns run by nobody, while nobody holds a namespace under a
#    process named with ESC, CR, DEL and a stray byte: portstat cannot enter
#    it (setns needs CAP_SYS_ADMIN), and the error names its label.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
ps_require_root
ps_tmpdir
ps_set_trap
D=$PS_TMPDIR
HOLDER="" HOLDER_FD=""

cleanup() {
	[ -n "$HOLDER_FD" ] && eval "exec $HOLDER_FD>&-"
	if [ -n "$HOLDER" ]; then
		for ((i = 0; i < 50; i++)); do
			kill -0 "$HOLDER" 2>/dev/null || break
			sleep 0.05
		done
		kill -KILL "$HOLDER" 2>/dev/null
		wait "$HOLDER" 2>/dev/null
	fi
	ps_cleanup
}
trap cleanup EXIT
trap 'cleanup; trap - EXIT; exit 130' INT
trap 'cleanup; trap - EXIT; exit 143' TERM

# check WHAT FILE LINES [WANT]: FILE (stderr of a run) is LINES lines, each
# ended by its newline and free of controls, and (when given) one of them
# holds WANT exactly (fixed string).
check() {
	local what=$1 file=$2 lines=$3 want=${4:-}
	python3 - "$file" <<'EOF' || ps_fail "$what: $(od -c "$file" | head -20)"
import sys
b = open(sys.argv[1], "rb").read()
bad = []
if not b.endswith(b"\n"):
    bad.append("no final newline")
for n, line in enumerate(b.split(b"\n")[:-1], 1):
    for i, c in enumerate(line):
        if c < 0x20 or c == 0x7f:
            bad.append("line %d byte %d: control 0x%02x" % (n, i, c))
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as e:
        bad.append("line %d: not UTF-8 (%s): a raw C1 or stray byte" % (n, e))
        continue
    for i, ch in enumerate(text):
        if 0x80 <= ord(ch) <= 0x9f:
            bad.append("line %d char %d: C1 control U+%04X" % (n, i, ord(ch)))
for m in bad:
    print(m)
sys.exit(1 if bad else 0)
EOF
	[ "$(wc -l <"$file")" = "$lines" ] || ps_fail "$what: not $lines line(s): $(cat -A "$file")"
	[ -z "$want" ] || grep -qF -- "$want" "$file" || ps_fail "$what: no '$want' in: $(cat "$file")"
}

# run WANT_STATUS WHAT ARGS...: portstat ARGS, stdout discarded, stderr in
# $D/err; the status must be WANT_STATUS.
run() {
	local want=$1 what=$2 rc
	shift 2
	"$PORTSTAT" "$@" >/dev/null 2>"$D/err"
	rc=$?
	[ "$rc" = "$want" ] || ps_fail "$what: status $rc, want $want: $(cat -A "$D/err")"
}

# Bytes: ESC CSI (red), LF, CR, BEL, a C1 CSI as UTF-8 (U+009B) and raw.
BAD=$'\e[31m\nY\r\a\xc2\x9b\x9b'
SHOWN='\x1b[31m\x0aY\x0d\x07\u009b\x9b'

run 1 "-N missing" -N "/tmp/x$BAD"
check "-N missing" "$D/err" 1 "/tmp/x$SHOWN"
printf 'x' >"$D/plain$BAD"
run 1 "-N plain file" -N "$D/plain$BAD"
check "-N plain file" "$D/err" 1 "plain$SHOWN' is not a network namespace"
echo "ok: -N paths"

run 1 "--replay missing" --replay "$D/missing$BAD"
check "--replay missing" "$D/err" 1 "missing$SHOWN"
run 3 "leaks --replay missing" leaks --replay "$D/missing$BAD"
check "leaks --replay missing" "$D/err" 1 "missing$SHOWN"
echo "ok: --replay paths"

printf 'x' >"$D/rec$BAD"
run 1 "--record existing" -c 1 --record "$D/rec$BAD"
check "--record existing" "$D/err" 1 "rec$SHOWN"
[ "$(cat "$D/rec$BAD")" = x ] || ps_fail "--record wrote into an existing file"
mkfifo "$D/fifo$BAD" || ps_fail "mkfifo"
run 1 "--write FIFO" -c 1 --write "$D/fifo$BAD"
check "--write FIFO" "$D/err" 1 "fifo$SHOWN"
run 3 "leaks --write FIFO" leaks -c 1 --write "$D/fifo$BAD"
check "leaks --write FIFO" "$D/err" 1 "fifo$SHOWN"
echo "ok: --record and --write paths"

run 2 "usage error" -p $'1\e[2J'
check "usage error" "$D/err" 2 "'1\\x1b[2J'"
echo "ok: usage errors"

# ---- a label chosen by nobody, in --all-netns run by nobody ----------------
if ! command -v runuser >/dev/null || ! runuser -u nobody -- unshare -rn true 2>/dev/null; then
	echo "it_stderr_names: 5 passed, 0 failed (--all-netns label not tried: nobody cannot 'unshare -rn')"
	exit 0
fi
ps_reachable_copy "$PORTSTAT" portstat_copy
mkfifo "$D/hold.in" || ps_fail "mkfifo"
exec {HOLDER_FD}<>"$D/hold.in"
# The holder names itself (15 bytes at most) and waits for EOF on stdin.
(
	exec {HOLDER_FD}>&-
	exec runuser -u nobody -- unshare -rn python3 -c '
import ctypes, sys
if ctypes.CDLL(None).prctl(15, b"\x1b[1mE\rV\x9bI\x7fL", 0, 0, 0) != 0:
    sys.exit("prctl failed")
print("ready", flush=True)
sys.stdin.read()
' <"$D/hold.in" >"$D/hold.out" 2>"$D/hold.err"
) &
HOLDER=$!
for ((i = 0; i < 200; i++)); do
	grep -q '^ready' "$D/hold.out" 2>/dev/null && break
	kill -0 "$HOLDER" 2>/dev/null || ps_fail "holder died: $(cat "$D/hold.err")"
	sleep 0.05
done
grep -q '^ready' "$D/hold.out" || ps_fail "holder not ready: $(cat "$D/hold.err")"
# The named process is the python under runuser and unshare: found by its
# comm among our holder's descendants.
pid=""
for ((i = 0; i < 100; i++)); do
	for p in $(pgrep -u nobody -f 'prctl\(15'); do
		[ "$(head -c 4 "/proc/$p/comm")" = $'\e[1m' ] && pid=$p
	done
	[ -n "$pid" ] && break
	sleep 0.05
done
[ -n "$pid" ] || ps_fail "cannot find the named holder"
want="portstat: pid:$pid/\\x1b[1mE\\x0dV\\x9bI\\x7fL: cannot enter network namespace: Operation not permitted (needs CAP_SYS_ADMIN)"
runuser -u nobody -- "$portstat_copy" --all-netns -c 1 >/dev/null 2>"$D/err"
rc=$?
[ "$rc" = 1 ] || ps_fail "--all-netns as nobody: status $rc, want 1: $(cat -A "$D/err")"
# Other namespaces on the host (other users', containers') may add lines
# of their own: each is checked alike.
check "--all-netns as nobody" "$D/err" "$(wc -l <"$D/err")" "$want"
grep -qxF -- "$want" "$D/err" || ps_fail "--all-netns as nobody: no line '$want' in: $(cat "$D/err")"
echo "ok: --all-netns labels"
echo "it_stderr_names: 5 passed, 0 failed"
