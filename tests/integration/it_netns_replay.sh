#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Namespaces and recordings against a live kernel: -N by name and by
# /proc/PID/ns/net path see the same sockets, the caller's namespace does
# not see them; a live --record replays to byte-identical output in every
# format; port filters and families work on live data.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
ps_require_root

ps_netns_new ns
ps_popgen_start "$ns" --mapped --established 7 --close-wait 3 --port-base 22000

ps_tmpdir; tmp=$PS_TMPDIR

by_name=$("$PORTSTAT" -N "$ns" -f json | jq -c 'del(.time, .netns)')
pid=$(ip netns pids "$ns" | head -1)
[ -n "$pid" ] || ps_fail "no process in $ns"
by_path=$("$PORTSTAT" -N "/proc/$pid/ns/net" -f json | jq -c 'del(.time, .netns)')
[ "$by_name" = "$by_path" ] || ps_fail "-N name and -N path differ: $by_name / $by_path"
[ "$(jq .sockets <<<"$by_name")" = $((2 * 7 + 2 * 3 + 2)) ] || ps_fail "sockets: $by_name"
[ "$("$PORTSTAT" -N "$ns" -f json | jq -r .netns)" = "$ns" ] || ps_fail "netns field"
# Our own namespace does not see the test's sockets: it counts what ss sees
# there on those ports (none, unless the host itself uses them).
own=$("$PORTSTAT" -f json -p 22001,22002 | jq .sockets)
host=$(ss -Htan '( sport = :22001 or sport = :22002 or dport = :22001 or dport = :22002 )' | wc -l)
[ "$own" = "$host" ] || ps_fail "own namespace sees $own sockets on the test ports, ss $host"

# IPv4 clients, IPv6 (v4-mapped) server side.
v4=$("$PORTSTAT" -N "$ns" -4 -f json | jq -c '[.states.established, .states.fin_wait2, .states.close_wait, .states.listen]')
v6=$("$PORTSTAT" -N "$ns" -6 -f json | jq -c '[.states.established, .states.fin_wait2, .states.close_wait, .states.listen]')
[ "$v4" = "[7,3,0,0]" ] || ps_fail "-4 gave $v4"
[ "$v6" = "[7,0,3,2]" ] || ps_fail "-6 gave $v6"
p=$("$PORTSTAT" -N "$ns" -p 22002 -f json | jq -c '[.ports[] | [.port, .direction, .total]]')
[ "$p" = '[[22002,"in",4],[22002,"out",3]]' ] || ps_fail "-p 22002 gave $p"

# Record two live samples, replay them: identical output, format by format.
"$PORTSTAT" -N "$ns" --record "$tmp/live.rec" -c 2 -i 0.1 -f json > "$tmp/live.json" ||
	ps_fail "record failed"
[ "$(wc -l < "$tmp/live.json")" = 2 ] || ps_fail "want 2 JSON lines"
"$PORTSTAT" --replay "$tmp/live.rec" -f json | jq -c 'del(.netns)' > "$tmp/replay.json"
jq -c 'del(.netns)' "$tmp/live.json" | diff - "$tmp/replay.json" || ps_fail "replay differs from live"
for args in "" "-f csv" "--by local" "-s close-wait" "-6 --sort port"; do
	# shellcheck disable=SC2086
	"$PORTSTAT" --replay "$tmp/live.rec" -c 1 $args > "$tmp/a" || ps_fail "replay $args failed"
	# shellcheck disable=SC2086
	"$PORTSTAT" --replay "$tmp/live.rec" -c 1 $args > "$tmp/b"
	cmp -s "$tmp/a" "$tmp/b" || ps_fail "replay $args not deterministic"
done
# A recording of both families (one dump) answers -4 and -6 alike, as the
# live kernel does; the IPv6 listeners classify the IPv4 clients in both.
"$PORTSTAT" -N "$ns" --record "$tmp/both.rec" > /dev/null || ps_fail "record both failed"
for fam in -4 -6; do
	a=$("$PORTSTAT" --replay "$tmp/both.rec" $fam -f json | jq -c 'del(.time, .netns)')
	b=$("$PORTSTAT" -N "$ns" $fam -f json | jq -c 'del(.time, .netns)')
	[ "$a" = "$b" ] || ps_fail "replay $fam of a both-family recording: $a, live: $b"
done
# A recording made with -4 cannot answer for IPv6 sockets: an error, not zeros.
"$PORTSTAT" -N "$ns" -4 --record "$tmp/v4.rec" > /dev/null
if "$PORTSTAT" --replay "$tmp/v4.rec" -6 > "$tmp/out" 2> "$tmp/err"; then
	ps_fail "replaying a -4 recording with -6 succeeded: $(cat "$tmp/out")"
fi
grep -q "recorded in states" "$tmp/err" || ps_fail "unclear error: $(cat "$tmp/err")"

ps_popgen_stop
echo "it_netns_replay: 1 passed, 0 failed"
