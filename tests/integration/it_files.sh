#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Files land only where asked.  --write replaces a regular file (keeping its
# owner, group and mode) or creates one 0644 whatever the umask, and refuses
# a symbolic link, a device node, a FIFO (without blocking), a socket and a
# directory, each left exactly as it was; --record creates only a new file
# (0600) and refuses the same, plus a file another user pre-created in a
# sticky directory; a command line refused after --record leaves no file.
# Root: mknod, chown to nobody.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
ps_require_root
fixture=$(cd "$(dirname "$0")/.." && pwd)/fixtures/sample.rec
ps_netns_new ns
ps_tmpdir
d=$PS_TMPDIR/files
mkdir "$d" || ps_fail "mkdir"
nobody=$(id -u nobody) || ps_fail "no user nobody"
nogroup=$(id -g nobody)

# run STATUS NEEDLE ARGS...: portstat exits STATUS within 20 s (a FIFO
# must not block it) with one error line on stderr holding NEEDLE,
# nothing on stdout (leaks, STATUS 3: only its plugin line "UNKNOWN: " and
# the same reason).
run() {
	local want=$1 needle=$2 rc
	shift 2
	timeout 20 "$PORTSTAT" "$@" >"$PS_TMPDIR/out" 2>"$PS_TMPDIR/err" </dev/null
	rc=$?
	[ "$rc" = "$want" ] || ps_fail "portstat $*: exit $rc, want $want: $(cat "$PS_TMPDIR/err")"
	# (a usage error adds its hint line)
	[ "$(grep -vc "^Try 'portstat --help'" "$PS_TMPDIR/err")" = 1 ] || ps_fail "portstat $*: want one line, got: $(cat "$PS_TMPDIR/err")"
	grep -qF -- "$needle" "$PS_TMPDIR/err" || ps_fail "portstat $*: '$needle' not in: $(cat "$PS_TMPDIR/err")"
	if [ "$want" = 3 ]; then
		[ "$(cat "$PS_TMPDIR/out")" = "UNKNOWN: $(head -1 "$PS_TMPDIR/err" | sed 's/^portstat: //')" ] ||
			ps_fail "portstat $*: stdout is not its one UNKNOWN line: $(cat "$PS_TMPDIR/out")"
	else
		[ ! -s "$PS_TMPDIR/out" ] || ps_fail "portstat $*: wrote to stdout"
	fi
}

# Nothing but what the test made is in $d: no temporary or new file.
only() {
	local got want
	got=$(cd "$d" && ls -A | sort | tr '\n' ' ')
	want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	[ "$got" = "$want" ] || ps_fail "files in $d: '$got', want '$want'"
}

# fingerprint PATH: what must not change about a refused target.
fp() { stat -c '%F %u %g %a %i %t:%T %s' "$1"; }

# The targets: one of each kind that is not a regular file.
echo precious > "$d/target"
chmod 600 "$d/target"
ln -s "$d/target" "$d/link"
ln -s "$d/nowhere" "$d/dangling"
read -r maj min < <(stat -c '%t %T' /dev/null)
mknod "$d/null" c $((16#$maj)) $((16#$min)) || ps_fail "mknod"
mkfifo "$d/fifo"
python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$d/sock" ||
	ps_fail "unix socket"
mkdir "$d/dir"
pairs=("link:a symbolic link" "dangling:a symbolic link" "null:a character device"
       "fifo:a FIFO" "sock:a socket" "dir:a directory")
declare -A before=()
for k in link dangling null fifo sock dir target; do before[$k]=$(fp "$d/$k"); done
all="target link dangling null fifo sock dir"

# unchanged LABEL [FILE...]: every target as it was; only they (and FILEs)
# in $d.
unchanged() {
	local k label=$1
	shift
	for k in link dangling null fifo sock dir target; do
		[ "$(fp "$d/$k")" = "${before[$k]}" ] || ps_fail "$label changed $k: $(fp "$d/$k"), was ${before[$k]}"
	done
	[ "$(cat "$d/target")" = precious ] || ps_fail "$label wrote through the link into target"
	[ ! -e "$d/nowhere" ] || ps_fail "$label created the dangling link's target"
	# shellcheck disable=SC2086
	only $all "$@"
}

# ---- --write ---------------------------------------------------------
for pair in "${pairs[@]}"; do
	k=${pair%%:*} what=${pair#*:}
	run 1 "refusing to write '$d/$k': it is $what" --replay "$fixture" -f prometheus --write "$d/$k"
	run 3 "it is $what" leaks --replay "$fixture" --write "$d/$k"
	run 1 "it is $what" --all-netns -f json --write "$d/$k"
	# A repeating run refuses at once, before its first sample.
	run 1 "it is $what" -N "$ns" -i 0.1 -c 3 --write "$d/$k"
done
unchanged "--write"
[ -c "$d/null" ] && [ "$(stat -c '%t:%T' "$d/null")" = "$maj:$min" ] || ps_fail "null is no longer the device"
echo "ok: --write refused a symlink, a dangling one, a device, a FIFO, a socket, a directory"

# An existing regular file: another user's, mode 0640, replaced with owner,
# group and mode kept.
echo old > "$d/kept.prom"
chown nobody:"$nogroup" "$d/kept.prom"
chmod 640 "$d/kept.prom"
ino=$(stat -c %i "$d/kept.prom")
"$PORTSTAT" --replay "$fixture" -c 1 -f prometheus -p 8080 --write "$d/kept.prom" || ps_fail "--write kept.prom"
[ "$(stat -c '%u %g %a' "$d/kept.prom")" = "$nobody $nogroup 640" ] ||
	ps_fail "kept.prom: $(stat -c '%u %g %a' "$d/kept.prom"), want $nobody $nogroup 640"
[ "$(stat -c %i "$d/kept.prom")" != "$ino" ] || ps_fail "kept.prom written in place, not replaced"
grep -q '^portstat_tcp_port_sockets{port="8080",direction="in",state="close_wait"} 2$' "$d/kept.prom" ||
	ps_fail "kept.prom content: $(head -3 "$d/kept.prom")"
# A new file: 0644 under umask 077, owned by the writer.
( umask 077; "$PORTSTAT" --replay "$fixture" -f json --write "$d/new.json" ) || ps_fail "--write new.json"
[ "$(stat -c '%u %a' "$d/new.json")" = "0 644" ] || ps_fail "new.json: $(stat -c '%u %a' "$d/new.json")"
[ "$(jq .sockets "$d/new.json")" = 33 ] || ps_fail "new.json content"
# shellcheck disable=SC2086
only $all kept.prom new.json
echo "ok: --write kept nobody's 0640 file's owner and mode; a new file is 0644 under umask 077"

# ---- --record --------------------------------------------------------
for pair in "${pairs[@]}"; do
	k=${pair%%:*} what=${pair#*:}
	run 1 "cannot create recording '$d/$k': it already exists ($what)" -N "$ns" --record "$d/$k"
	run 3 "it already exists ($what)" leaks -N "$ns" --record "$d/$k"
done
run 1 "it already exists (a regular file)" -N "$ns" --record "$d/target"
unchanged "--record" kept.prom new.json

# Another user's file, pre-created in a sticky world-writable directory
# (the /tmp attack): refused, left as it was.
sticky=$PS_TMPDIR/sticky
chmod 711 "$PS_TMPDIR"		# nobody passes through to the sticky directory
mkdir -m 1777 "$sticky"
runuser -u nobody -- sh -c "umask 0; echo planted > '$sticky/x.rec'" || ps_fail "nobody's file"
was=$(fp "$sticky/x.rec")
run 1 "cannot create recording '$sticky/x.rec': it already exists (a regular file)" -N "$ns" --record "$sticky/x.rec"
[ "$(fp "$sticky/x.rec")" = "$was" ] && [ "$(cat "$sticky/x.rec")" = planted ] ||
	ps_fail "nobody's file changed: $(fp "$sticky/x.rec")"
# And nobody's symlink there to root's file.
runuser -u nobody -- ln -s "$d/target" "$sticky/y.rec"
run 1 "it already exists (a symbolic link)" -N "$ns" --record "$sticky/y.rec"
[ "$(cat "$d/target")" = precious ] || ps_fail "--record wrote through nobody's link"

# A directory named through nobody's symbolic link (nobody chooses where
# root writes): refused, nothing created where it points.  Root's own
# link to a directory (like /var/run -> /run) is followed.
runuser -u nobody -- ln -s "$d" "$sticky/dirlink"
run 1 "its directory '$sticky/dirlink' is a symbolic link of another user" \
	--replay "$fixture" --write "$sticky/dirlink/w.prom"
run 1 "its directory '$sticky/dirlink' is a symbolic link of another user" \
	-N "$ns" --record "$sticky/dirlink/r.rec"
[ ! -e "$d/w.prom" ] && [ ! -e "$d/r.rec" ] || ps_fail "wrote through nobody's directory link"
ln -s "$d" "$PS_TMPDIR/rootlink"
"$PORTSTAT" --replay "$fixture" -c 1 --write "$PS_TMPDIR/rootlink/via.txt" || ps_fail "root's directory link"
"$PORTSTAT" -N "$ns" --record "$PS_TMPDIR/rootlink/via.rec" >/dev/null || ps_fail "root's directory link"
[ -f "$d/via.txt" ] && [ -f "$d/via.rec" ] || ps_fail "root's directory link not followed"
rm "$d/via.txt" "$d/via.rec"
run 1 "it names a directory" -N "$ns" --record "$d/"

# A new recording: 0600 whatever the umask, and it replays.
( umask 0; "$PORTSTAT" -N "$ns" --record "$d/new.rec" >/dev/null ) || ps_fail "--record new.rec"
[ "$(stat -c '%u %a' "$d/new.rec")" = "0 600" ] || ps_fail "new.rec: $(stat -c '%u %a' "$d/new.rec")"
"$PORTSTAT" --replay "$d/new.rec" -f json | jq -e '.sockets == 0' >/dev/null || ps_fail "new.rec does not replay"
echo "ok: --record refused every existing target, nobody's planted file and link; a new one is 0600"

# Refused after --record: nothing created.
run 2 "'bogus'" -N "$ns" --record "$d/u1.rec" -s bogus
run 2 "cannot be used together" --record "$d/u2.rec" --replay "$fixture"
export PORTSTAT_SPLIT=bogus
run 2 "PORTSTAT_SPLIT" -N "$ns" --record "$d/u3.rec"
unset PORTSTAT_SPLIT
run 1 "no-such-ns-$$" -N "no-such-ns-$$" --record "$d/u4.rec"
run 1 "it is a directory" -N "$ns" --record "$d/u5.rec" --write "$d/dir"
run 3 "'bogus'" leaks -N "$ns" --record "$d/u6.rec" --warn bogus
run 3 "it is a directory" leaks -N "$ns" --record "$d/u7.rec" --write "$d/dir"
# shellcheck disable=SC2086
only $all kept.prom new.json new.rec
echo "ok: a refused command line left no recording"
