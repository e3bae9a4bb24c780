#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# it_names: a process with a hostile name, end to end.  In a private
# namespace a leaking server names itself (prctl, as any user may) with an
# ESC/CSI sequence, an invalid byte, a wide character, a comma, a quote,
# '=', '|', CR and LF, and holds a listener and two CLOSE_WAIT sockets.
# Then every format of `--by process` and `leaks` is read as a strict
# consumer reads it: JSON by Python's strict UTF-8 decoder and json
# parser, CSV by Python's csv module (field counts, the decoded name),
# Prometheus by promtool; text must carry no control byte (C0, DEL, C1),
# stay one line per row and keep its columns aligned by display width.
# Last, the dashboard's detail shows the name escaped, in a UTF-8
# terminal and in a C-locale one (ASCII only), with the screen intact.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/leaks_lib.sh"
source "$(dirname "$0")/tmux_lib.sh"
ps_require_root
command -v python3 >/dev/null || { echo "SKIP: python3 not installed" >&2; exit 77; }

PORT=23700
NAME=$'\e[2J\xff\xe6\x97\xa5,"=|\r\n'	# 14 bytes: a comm holds 15
ps_netns_new ns
tm_init
trap '"${T[@]}" kill-server 2>/dev/null; lk_cleanup' EXIT
trap '"${T[@]}" kill-server 2>/dev/null; lk_cleanup; trap - EXIT; exit 130' INT
trap '"${T[@]}" kill-server 2>/dev/null; lk_cleanup; trap - EXIT; exit 143' TERM
D=$PS_TMPDIR

lk_server "$ns" $PORT leak "$NAME"
[ "$(od -An -tx1 "/proc/$LK_SRV_PID/comm" | tr -d ' \n')" = 1b5b324affe697a52c223d7c0d0a0a ] ||
	ps_fail "the server's comm is not the hostile name: $(od -c "/proc/$LK_SRV_PID/comm")"
lk_client "$ns"
lk_do open $PORT 2 >/dev/null
lk_do fin >/dev/null
lk_wait_ss "$ns" 2 state close-wait "( sport = :$PORT )"

# check.py KIND FILE: the strict reader of each format (exit 1 says why).
cat >"$D/check.py" <<'EOF'
import csv, io, json, sys, unicodedata
kind, path = sys.argv[1], sys.argv[2]
raw = open(path, "rb").read()
text = raw.decode("utf-8", "strict")           # valid UTF-8, or fail
WANT = "\x1b[2J\ufffd\u65e5,\"=|\r\n"           # the name, as JSON gives it
SHOWN = "\\x1b[2J\\xff\u65e5,\"=|\\x0d\\x0a"     # ... as text shows it
INCSV = "\\x1b[2J\ufffd\u65e5,\"=|\\x0d\\x0a"   # ... as a CSV field holds it

def fail(msg):
    sys.exit("%s: %s\n%s" % (kind, msg, text))

def width(s):
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)

if kind != "json":
    bad = [c for c in text if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) <= 0x9f]
    if bad:
        fail("control characters %r" % bad)
if kind == "json":
    names = [p["comm"] for o in map(json.loads, text.splitlines())
             for p in o.get("processes", []) if isinstance(p, dict)] + \
            [p["comm"] for o in map(json.loads, text.splitlines())
             for g in o.get("groups", []) for p in g["processes"]]
    if WANT not in names:
        fail("the name is not %r in %r" % (WANT, names))
elif kind == "csv":
    rows = list(csv.reader(io.StringIO(text)))
    if len({len(r) for r in rows}) != 1:
        fail("records of different lengths: %r" % rows)
    col = rows[0].index("comm")
    want = INCSV
    if want not in [r[col] for r in rows[1:]]:
        fail("the name is not %r in %r" % (want, [r[col] for r in rows[1:]]))
elif kind == "table":                             # --by process text
    lines = text.splitlines()
    if len({width(l) for l in lines}) != 1:
        fail("lines of different display widths: %r" % [width(l) for l in lines])
    if not any(SHOWN in l for l in lines):
        fail("no row shows %r" % SHOWN)
elif kind == "leaks":
    lines = text.splitlines()
    # The status line's text ends at its one " | " (perfdata after it).
    summary = lines[0].split(" | ")[0]
    if "\\x7c" not in summary or "|" in summary or lines[0].count("|") != 1:
        fail("a '|' of the name reached the status line: %r" % lines[0])
    rows = [l for l in lines[2:] if l.strip()]
    head = lines[1]
    for l in rows:
        if width(l[:l.index("127.0.0.1")]) != width(head[:head.index("PEERS")]):
            fail("the PEERS column does not line up: %r" % l)
    # leaks' text is plugin output: no '|' on any line (in the long text
    # it would start perfdata), so the name's '|' is \x7c there too.
    shown = SHOWN.replace("|", "\\x7c")
    if not any(shown in l for l in rows):
        fail("no row shows %r" % shown)
    if any("|" in l for l in lines[1:]):
        fail("a '|' in the long text: %r" % lines)
EOF
check() {	# check KIND ARGS...: run portstat ARGS into a file, read it as KIND
	local kind=$1 rc
	shift
	"$PORTSTAT" "$@" >"$D/out" 2>"$D/err"
	rc=$?
	[ $rc = 0 ] || ps_fail "portstat $* exited $rc: $(cat "$D/err")"
	python3 "$D/check.py" "$kind" "$D/out" || ps_fail "portstat $*"
}

check table -N "$ns" --by process -c 1 -p $PORT
check json -N "$ns" --by process -c 1 -p $PORT -f json
check csv -N "$ns" --by process -c 1 -p $PORT -f csv
"$PORTSTAT" -N "$ns" --by process -c 1 -p $PORT -f prometheus >"$D/out.prom" ||
	ps_fail "--by process -f prometheus failed"
promtool check metrics <"$D/out.prom" || ps_fail "promtool rejects: $(cat "$D/out.prom")"
python3 "$D/check.py" prom "$D/out.prom" || ps_fail "--by process -f prometheus"
grep -qF 'comm="\\x1b[2J'$'\xef\xbf\xbd\xe6\x97\xa5'',\"=|\\x0d\n"' "$D/out.prom" ||
	ps_fail "the Prometheus label: $(grep comm= "$D/out.prom")"
echo "ok - --by process: text, JSON, CSV, Prometheus"

check leaks leaks -N "$ns" -p $PORT
check json leaks -N "$ns" -p $PORT -f json
check csv leaks -N "$ns" -p $PORT -f csv
echo "ok - leaks: text, JSON, CSV"

# --- the dashboard ---------------------------------------------------------
for lang in C.UTF-8 C; do
	s=top${lang/./_}
	"${T[@]}" new-session -d -s "$s" -x 120 -y 30 \
		"env LANG=$lang LC_ALL=$lang TERM=screen '$PORTSTAT' top -N '$ns' -p $PORT -i 0.2; exec sleep 600" ||
		ps_fail "tmux new-session failed"
	wait_for "$s" "the rows ($lang)" has "^$PORT +in "
	keys "$s" Enter
	wait_for "$s" "the owners ($lang)" has '^ +PID +COMM +SOCKETS'
	if [ $lang = C ]; then
		# ASCII only: the wide character would be \u65e5, too wide for
		# the 15-cell column, so the cell ends before it
		wait_for "$s" "the escaped name ($lang)" has '^ *[0-9]+  \\x1b\[2J\\xff +3  '
	else
		wait_for "$s" "the escaped name ($lang)" has '^ *[0-9]+  \\x1b\[2J\\xff日,"  +3  '
	fi
	has '^portstat ' || ps_fail "the header is gone ($lang): the screen was cleared"
	has "PORT $PORT in: detail" || ps_fail "the detail title ($lang)"
	keys "$s" q
done
echo "ok - top: the name escaped in the detail (UTF-8 and C locale)"
echo "it_names: 3 passed, 0 failed"
