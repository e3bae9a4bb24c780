#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# One output-error policy for every mode.  stdout failing ends the run at
# once with the real errno in one line and status 1 (leaks: 3): /dev/full
# says "No space left on device", a pipe whose reader is gone says "Broken
# pipe" when SIGPIPE is ignored and ends the run quietly (killed by
# SIGPIPE) when it is not.  A repeating --write whose file system fills
# keeps the previous file, says so per failing sample, goes on sampling,
# writes again once there is room, and ends with status 1 (leaks: 3): run on
# a tiny tmpfs mounted in a private mount namespace.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

# ---- the tmpfs child: runs inside unshare -m -----------------------------
# tmpfs_child DIR ARGS...: mounts a 64 KiB tmpfs on DIR, runs portstat ARGS
# --write DIR/out.json, fills the file system, waits for two failed
# samples, frees it, waits for the file to be replaced, stops portstat
# with SIGTERM; prints "rc N".
enospc() {
	local i
	for ((i = 0; i < 200; i++)); do
		[ "$(grep -c 'No space left on device' "$log")" -ge "$1" ] && return
		sleep 0.05
	done
	ps_fail "not $1 ENOSPC reported: $(cat "$log")"
}

tmpfs_child() {
	local i ino rc
	mnt=$1 log=$1.err	# globals: the EXIT trap and enospc read them
	shift
	mount -t tmpfs -o size=1m,mode=755 pstest "$mnt" || ps_fail "mount tmpfs"
	"$PORTSTAT" "$@" --write "$mnt/out.json" >"$mnt.out" 2>"$log" &
	pid=$!
	trap 'kill "$pid" 2>/dev/null; wait "$pid"; umount "$mnt"' EXIT
	for ((i = 0; i < 200; i++)); do
		[ -s "$mnt/out.json" ] && break
		sleep 0.05
	done
	[ -s "$mnt/out.json" ] || ps_fail "no first file: $(cat "$log")"
	# Fill it: every page taken, the next sample's temporary file cannot
	# be written.
	dd if=/dev/zero of="$mnt/fill" bs=4k 2>/dev/null
	# After the first failure no write that began before the fill is in
	# flight: the file seen then must stay through two more.
	enospc 1
	cp "$mnt/out.json" "$mnt.kept"
	ino=$(stat -c %i "$mnt/out.json")
	enospc 3
	kill -0 "$pid" 2>/dev/null || ps_fail "portstat ended at ENOSPC: $(cat "$log")"
	# The previous file, whole, and no temporary file beside it.
	[ "$(stat -c %i "$mnt/out.json")" = "$ino" ] && cmp -s "$mnt/out.json" "$mnt.kept" ||
		ps_fail "out.json changed while the disk was full"
	jq -e . "$mnt/out.json" >/dev/null || ps_fail "out.json is not whole JSON"
	[ "$(ls -A "$mnt" | sort | tr '\n' ' ')" = "fill out.json " ] || ps_fail "left in tmpfs: $(ls -A "$mnt")"
	rm "$mnt/fill"
	for ((i = 0; i < 200; i++)); do
		[ "$(stat -c %i "$mnt/out.json")" != "$ino" ] && break
		sleep 0.05
	done
	[ "$(stat -c %i "$mnt/out.json")" != "$ino" ] || ps_fail "not written again once there was room"
	jq -e . "$mnt/out.json" >/dev/null || ps_fail "the new out.json is not whole JSON"
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	trap - EXIT
	# Every failure line the same: the cause, the file kept, sampling on.
	# (Other lines may be a real host's: a namespace --all-netns could
	# not read is its own error.)
	grep 'cannot write' "$log" |
		grep -v "^portstat: cannot write '$mnt/out.json': No space left on device (the file is left as it was; sampling goes on)$" &&
		ps_fail "unexpected stderr: $(cat "$log")"
	# stdout: nothing from the report; from leaks (a monitoring plugin)
	# each failed write also as its "UNKNOWN: reason" status line.
	if [ "$1" = leaks ]; then
		grep -q . "$mnt.out" && ! grep -v "^UNKNOWN: cannot write '$mnt/out.json': No space left on device (the file is left as it was; sampling goes on)$" "$mnt.out" ||
			ps_fail "leaks stdout: $(cat "$mnt.out")"
	else
		[ ! -s "$mnt.out" ] || ps_fail "stdout: $(cat "$mnt.out")"
	fi
	umount "$mnt"
	echo "rc $rc"
}
if [ "${1:-}" = --tmpfs-child ]; then
	shift
	tmpfs_child "$@"
	exit
fi

ps_require_root
command -v python3 >/dev/null || ps_fail "python3 not found"
fixture=$here/../fixtures/sample.rec
ps_netns_new ns
ps_tmpdir
err=$PS_TMPDIR/err

# closed SIGPIPE ARGS...: portstat with stdout a pipe whose reader closed
# before it started, SIGPIPE ignored ("ign") or default ("dfl"); stderr to
# $err; returns its status (128 + signal when killed).
closed() {
	python3 - "$@" 2>"$err" <<'EOF'
import os, signal, subprocess, sys
disp = signal.SIG_IGN if sys.argv[1] == "ign" else signal.SIG_DFL
r, w = os.pipe()
os.close(r)
p = subprocess.run(sys.argv[2:], stdout=w, stderr=sys.stderr, stdin=subprocess.DEVNULL,
                   preexec_fn=lambda: signal.signal(signal.SIGPIPE, disp), timeout=60)
sys.exit(128 - p.returncode if p.returncode < 0 else p.returncode)
EOF
}

# check LABEL STATUS WANT_STATUS REASON: exactly one error line, naming
# REASON, and the status.
check() {
	local label=$1 rc=$2 want=$3 reason=$4
	[ "$rc" = "$want" ] || ps_fail "$label: exit $rc, want $want: $(cat "$err")"
	[ "$(grep -c '^portstat: cannot write output' "$err")" = 1 ] &&
		grep -qx "portstat: cannot write output: $reason" "$err" ||
		ps_fail "$label: want one 'cannot write output: $reason', got: $(cat "$err")"
	grep -v '^portstat: cannot write output' "$err" | grep -v '^portstat: note:' &&
		ps_fail "$label: more on stderr: $(cat "$err")"
	return 0
}

# Repeating runs: -c 400 at 0.05 s would run 20 s; one error line proves
# they ended at the first failed write.
modes=(
	"report|1|--replay $fixture"
	"report -i|1|-N $ns -i 0.05 -c 400"
	"--all-netns|1|--all-netns -f json"
	"--all-netns -i|1|--all-netns -f json -i 0.05 -c 400"
	"leaks|3|leaks --replay $fixture"
	"leaks -i|3|leaks -N $ns -i 0.05 -c 400"
	"--help|1|--help"
	"-V|1|-V"
	"leaks --help|3|leaks --help"
)
for m in "${modes[@]}"; do
	IFS='|' read -r label want args <<<"$m"
	# shellcheck disable=SC2086
	timeout 60 "$PORTSTAT" $args >/dev/full 2>"$err" </dev/null
	check "$label >/dev/full" $? "$want" "No space left on device"
	# shellcheck disable=SC2086
	closed ign "$PORTSTAT" $args
	check "$label | closed, SIGPIPE ignored" $? "$want" "Broken pipe"
	# shellcheck disable=SC2086
	closed dfl "$PORTSTAT" $args
	rc=$?
	[ "$rc" = 141 ] && [ ! -s "$err" ] || ps_fail "$label | closed: exit $rc, want SIGPIPE (141), quiet: $(cat "$err")"
	echo "ok: $label: /dev/full and a closed pipe end it with the errno; SIGPIPE ends it quietly"
done

# top needs a terminal: anything else is one line and status 1, at once.
timeout 20 "$PORTSTAT" top -N "$ns" >/dev/full 2>"$err" </dev/null
rc=$?
[ "$rc" = 1 ] && [ "$(wc -l <"$err")" = 1 ] || ps_fail "top >/dev/full: exit $rc: $(cat "$err")"
closed ign "$PORTSTAT" top -N "$ns"
rc=$?
[ "$rc" = 1 ] && [ "$(wc -l <"$err")" = 1 ] || ps_fail "top | closed: exit $rc: $(cat "$err")"
echo "ok: top without a terminal: one line, status 1"

# top whose terminal hangs up (its window closed): the SIGHUP that comes
# with it is lost output, not a quit, so status 1 with the errno; a
# `kill -HUP` on a live terminal stays a quit (it_top).
hup=$(python3 - "$PORTSTAT" "$ns" "$err" <<'EOF'
import fcntl, os, pty, select, struct, subprocess, sys, termios, time
portstat, ns, errpath = sys.argv[1:4]
m, s = pty.openpty()
fcntl.ioctl(s, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
env = dict(os.environ, TERM="screen", LANG="C.UTF-8")
with open(errpath, "w") as err:
    p = subprocess.Popen([portstat, "top", "-N", ns, "-i", "0.2"], stdin=s, stdout=s,
                         stderr=err, env=env, start_new_session=True,
                         preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
os.close(s)
buf, deadline = b"", time.monotonic() + 30
while b"PORT" not in buf and time.monotonic() < deadline:
    if select.select([m], [], [], 0.5)[0]:
        buf += os.read(m, 65536)
if b"PORT" not in buf:
    p.kill()
    sys.exit("top drew no table")
os.close(m)
try:
    print(p.wait(timeout=30))
except subprocess.TimeoutExpired:
    p.kill()
    sys.exit("top did not end after its terminal hung up")
EOF
) || ps_fail "top hangup: $hup"
[ "$hup" = 1 ] && grep -qx 'portstat: terminal: Input/output error' "$err" ||
	ps_fail "top after a hangup: exit $hup, want 1: $(cat "$err")"
echo "ok: top whose terminal hung up: status 1, 'Input/output error'"

# A repeating --write on a file system that fills, then frees.  -p 1 keeps
# --all-netns small whatever other namespaces this host holds.
command -v unshare >/dev/null || ps_fail "unshare not found"
for m in "report -i|1|-N $ns -f json -i 0.1 -c 1000" \
	 "--all-netns -i|1|--all-netns -p 1 -f json -i 0.1 -c 1000" \
	 "leaks -i|3|leaks -N $ns -f json -i 0.1 -c 1000"; do
	IFS='|' read -r label want args <<<"$m"
	mnt=$PS_TMPDIR/mnt-${label//[^a-z]/}
	mkdir "$mnt"
	# shellcheck disable=SC2086
	out=$(unshare -m --propagation private bash "$here/it_outerr.sh" --tmpfs-child "$mnt" $args) ||
		ps_fail "$label: tmpfs run failed"
	[ "$out" = "rc $want" ] || ps_fail "$label: a run whose --write failed ended '$out', want 'rc $want'"
	echo "ok: $label --write: ENOSPC kept the old file, sampling went on, written again, status $want"
done
