#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A namespace deleted while portstat samples it (-N NAME -i): the name goes,
# the namespace lives on while its sockets' holders do, and portstat -- which
# holds it open -- keeps sampling it whole to the end: exit 0, every sample
# the same count.  Asking for the deleted name afterwards is a clear error.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
ps_require_root

ps_netns_new ns
ps_popgen_start "$ns" --established 200 --close-wait 10 --port-base 29000
ps_tmpdir
out=$PS_TMPDIR/vanish.json
"$PORTSTAT" -N "$ns" -f json -i 0.05 -c 40 > "$out" 2> "$PS_TMPDIR/vanish.err" &
pid=$!
for _ in $(seq 200); do [ "$(wc -l < "$out")" -ge 5 ] && break; sleep 0.02; done
[ "$(wc -l < "$out")" -ge 5 ] || ps_fail "no samples before the delete"
ip netns del "$ns" || ps_fail "ip netns del failed"
wait "$pid"
rc=$?
[ "$rc" = 0 ] || ps_fail "exit $rc after the namespace was deleted: $(cat "$PS_TMPDIR/vanish.err")"
[ "$(wc -l < "$out")" = 40 ] || ps_fail "$(wc -l < "$out") samples"
[ "$(jq -s 'map(.sockets) | unique' "$out" | jq -c .)" = "[$((400 + 20 + 2))]" ] ||
	ps_fail "counts changed: $(jq -s -c 'map(.sockets) | unique' "$out")"
"$PORTSTAT" -N "$ns" > /dev/null 2> "$PS_TMPDIR/gone.err"
rc=$?
[ "$rc" = 1 ] && grep -q "no network namespace '$ns'" "$PS_TMPDIR/gone.err" ||
	ps_fail "deleted name: exit $rc: $(cat "$PS_TMPDIR/gone.err")"
echo "it_vanish: 1 passed, 0 failed"
