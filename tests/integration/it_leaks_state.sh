#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# portstat leaks --state-file across invocations, as a check run once a
# minute uses it: the first run starts afresh (a note), later ones report
# first-seen ages and growth since the last run, and a damaged file is a
# note and a fresh start, never a failure.  The "last run" is moved a
# minute into the past by rewriting the file's times (its format is
# documented), so the ages and growth are known without waiting a minute:
# the ages then come from the file, not from tcp_info (seconds).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/leaks_lib.sh"
ps_require_root

PORT=47341 FIRST=4 MORE=3
ps_netns_new ns
lk_set_trap
ps_tmpdir
st="$PS_TMPDIR/leaks.state"
lk_server "$ns" $PORT leak leakysrv
lk_client "$ns"
[ "$(lk_do open $PORT $FIRST)" = "opened $FIRST" ] || ps_fail "client open"
[ "$(lk_do fin)" = "fin $FIRST" ] || ps_fail "client fin"
lk_wait_ss "$ns" $FIRST state close-wait "( sport = :$PORT )"
run() { "$PORTSTAT" leaks -N "$ns" -p $PORT --state-file "$st" -f json "$@" 2>"$PS_TMPDIR/err"; }

# 1: no file yet.
json=$(run); rc=$?
[ "$rc" = 0 ] || ps_fail "run 1: exit $rc: $(cat "$PS_TMPDIR/err")"
grep -q "state file '$st' does not exist yet: starting afresh" "$PS_TMPDIR/err" || ps_fail "run 1 note: $(cat "$PS_TMPDIR/err")"
[ "$(jq -c '[.groups[0].count, .groups[0].growth_per_min]' <<<"$json")" = "[$FIRST,null]" ] || ps_fail "run 1: $json"
# header, a socket each, one group
[ "$(stat -c %s "$st")" = $((32 + FIRST * 16 + 8)) ] || ps_fail "state size $(stat -c %s "$st")"
chmod 0600 "$st"

# The last run a minute ago: its time and every birth 60 s earlier.
shift_back() {
	python3 - "$st" <<'PY'
import struct, sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
magic, ver, states, t, ns, ng = struct.unpack_from("<8sIIqII", b, 0)
assert magic == b"PSLKSTAT" and ver == 1, (magic, ver)
struct.pack_into("<q", b, 16, t - 60000)
for i in range(ns):
    off = 32 + 16 * i + 8
    v, = struct.unpack_from("<Q", b, off)
    struct.pack_into("<Q", b, off, (((v >> 8) - 60000) << 8) | (v & 0xff))
open(p, "wb").write(b)
PY
}
shift_back || ps_fail "rewriting the state file"

# 2: three more leaked since: growth 3 over a minute and the few seconds
# the test took (at most 3.0/min, at least 2.0 if it took under 30 s);
# ages from the file, at least 60 s.
[ "$(lk_do open $PORT $MORE)" = "opened $((FIRST + MORE))" ] || ps_fail "client open 2"
[ "$(lk_do fin)" = "fin $((FIRST + MORE))" ] || ps_fail "client fin 2"
lk_wait_ss "$ns" $((FIRST + MORE)) state close-wait "( sport = :$PORT )"
json=$(run --warn-growth 1 --crit-growth 3); rc=$?
[ "$rc" = 1 ] || ps_fail "run 2 --warn-growth 1 --crit-growth 3: exit $rc, want 1: $json $(cat "$PS_TMPDIR/err")"
[ -s "$PS_TMPDIR/err" ] && ps_fail "run 2 said: $(cat "$PS_TMPDIR/err")"
jq -e --argjson n $((FIRST + MORE)) '.groups[0] | .count == $n and .growth_per_min >= 2.0 and
	.growth_per_min <= 3.0 and .oldest_s >= 60 and .oldest_s < 120' <<<"$json" >/dev/null ||
	ps_fail "run 2: $json"
[ "$(stat -c %a "$st")" = 600 ] || ps_fail "mode not kept: $(stat -c %a "$st")"

# 3: nothing changed: growth 0, the first-seen ages kept from run 2's file.
json=$(run); rc=$?
[ "$rc" = 0 ] || ps_fail "run 3: exit $rc"
jq -e '.groups[0] | .growth_per_min == 0 and .oldest_s >= 60' <<<"$json" >/dev/null || ps_fail "run 3: $json"

# A truncated file: a note, a fresh start (no growth, tcp_info ages), and a
# whole file written again.
head -c 50 "$st" >"$st.t" && cat "$st.t" >"$st"
json=$(run); rc=$?
[ "$rc" = 0 ] || ps_fail "truncated: exit $rc"
grep -q "state file '$st' ignored (truncated): starting afresh" "$PS_TMPDIR/err" || ps_fail "truncated note: $(cat "$PS_TMPDIR/err")"
jq -e '.groups[0] | .growth_per_min == null and .oldest_s < 60' <<<"$json" >/dev/null || ps_fail "after truncation: $json"
[ "$(stat -c %s "$st")" = $((32 + (FIRST + MORE) * 16 + 8)) ] || ps_fail "rewritten size $(stat -c %s "$st")"

# Garbage: the same.
head -c 200 /dev/urandom >"$st"
run >/dev/null; rc=$?
[ "$rc" = 0 ] && grep -q "ignored (not a portstat state file)" "$PS_TMPDIR/err" || ps_fail "garbage: exit $rc: $(cat "$PS_TMPDIR/err")"

# A symbolic link is refused, not followed (UNKNOWN), and left alone.
rm -f "$st" && ln -s "$PS_TMPDIR/elsewhere" "$st"
run >/dev/null; rc=$?
[ "$rc" = 3 ] || ps_fail "symlink: exit $rc, want 3"
[ -e "$PS_TMPDIR/elsewhere" ] && ps_fail "wrote through the link"
rm -f "$st"
echo "it_leaks_state: ok"
