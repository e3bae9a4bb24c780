#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# portstat serve, scraped with curl inside a private namespace: exact
# per-port values for a known population, zero-valued states of exported
# rows present, promtool accepts the body (OpenMetrics: ends in # EOF,
# counters typed without _total), / and 404/405, a second exporter on the
# port refused,
# a storm of 50 concurrent scrapes from 50 addresses costs one sample,
# clients holding idle connections do not pin it (per-address limit), and
# SIGTERM ends it with status 0; exported rows follow the hysteresis of
# series.c under --top 2; --all-netns and an unprivileged run serve.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/serve_lib.sh"
ps_require_root
# Under AddressSanitizer the allocator's own bookkeeping grows RSS, so the
# RSS check is not made; LeakSanitizer checks for leaks at exit instead
# (its report on stderr fails sv_stop()).
asan=""
ldd "$PORTSTAT" 2>/dev/null | grep libasan >/dev/null && asan=1

ps_netns_new ns
ps_popgen_start "$ns" --established 5 --close-wait 2 --port-base 26000
port=19101
sv_init "$ns" $port
url=$SV_URL
held=()

stop_all() {
	local p
	for p in "${held[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${held[@]}"; do
		wait "$p" 2>/dev/null
	done
	held=()
	sv_kill
}
trap 'stop_all; ps_cleanup' EXIT

sv_start --min-interval 0
body=$(sv_get "$url/metrics") || ps_fail "GET /metrics failed"
sv_has "$body" 'portstat_tcp_sockets{state="close_wait"} 2'
sv_has "$body" 'portstat_tcp_port_sockets{port="26001",direction="in",state="established"} 5'
sv_has "$body" 'portstat_tcp_port_sockets{port="26001",direction="out",state="established"} 5'
sv_has "$body" 'portstat_tcp_port_sockets{port="26001",direction="in",state="listen"} 1'
sv_has "$body" 'portstat_tcp_port_sockets{port="26002",direction="in",state="close_wait"} 2'
# An exported row exports every state, zeros included.
sv_has "$body" 'portstat_tcp_port_sockets{port="26001",direction="in",state="close_wait"} 0'
sv_has "$body" 'portstat_tcp_port_sockets{port="26002",direction="in",state="syn_recv"} 0'
sv_has "$body" 'portstat_tcp_port_sockets{port="other",direction="out",state="time_wait"} 0'
sv_has "$body" 'portstat_build_info{version="'"$("$PORTSTAT" --version | head -n 1 | cut -d' ' -f2)"'"} 1'
sv_has "$body" 'portstat_errors_total{kind="sample"} 0'
rows=$(grep -c '^portstat_tcp_port_sockets{port="26001",direction="in",' <<<"$body")
[ "$rows" = 11 ] || ps_fail "row 26001 in has $rows series, not 11"
sv_promtool "$body" "port metrics"
om=$(sv_get -H 'Accept: application/openmetrics-text; version=1.0.0' "$url/metrics")
[ "$(tail -n1 <<<"$om")" = "# EOF" ] || ps_fail "OpenMetrics body does not end with # EOF"
sv_has "$om" '# TYPE portstat_samples counter'
# min-interval 0: every scrape samples (two scrapes above, one now).
sv_has "$(sv_get "$url/metrics")" 'portstat_samples_total 3'

# Memory stays flat: RSS after 100 and after 400 more scrapes.
rss() { awk '/^VmRSS/ {print $2}' "/proc/$SV_PID/status"; }
for i in $(seq 1 100); do sv_get -o /dev/null "$url/metrics" || ps_fail "scrape $i failed"; done
rss1=$(rss)
for i in $(seq 1 400); do sv_get -o /dev/null "$url/metrics" || ps_fail "scrape $i failed"; done
rss2=$(rss)
[ -n "$asan" ] || [ $((rss2 - rss1)) -lt 1024 ] ||
	ps_fail "RSS grew from $rss1 to $rss2 KiB over 400 scrapes"
ps_log "RSS after 100 scrapes $rss1 KiB, after 500 $rss2 KiB"

# A second exporter on the same port is refused, in one line, status 1.
ip netns exec "$ns" "$PORTSTAT" serve --listen "127.0.0.1:$port" 2>"$PS_TMPDIR/second.err" &
second=$!
for ((i = 0; i < 50; i++)); do kill -0 "$second" 2>/dev/null || break; sleep 0.1; done
kill -0 "$second" 2>/dev/null && { kill "$second"; wait "$second"; ps_fail "a second exporter bound the same port"; }
wait "$second"
rc=$?
[ "$rc" = 1 ] || ps_fail "a second exporter on the port exited $rc, not 1"
grep -qx "portstat: cannot listen on 127.0.0.1:$port: Address already in use" "$PS_TMPDIR/second.err" ||
	ps_fail "second exporter said: $(cat "$PS_TMPDIR/second.err")"

landing=$(sv_get "$url/") || ps_fail "GET / failed"
grep -q 'href="/metrics"' <<<"$landing" || ps_fail "landing page has no link to /metrics"
code=$(ip netns exec "$ns" curl -s -o /dev/null -w '%{http_code}' "$url/nope")
[ "$code" = 404 ] || ps_fail "GET /nope gave $code, not 404"
code=$(ip netns exec "$ns" curl -s -o /dev/null -w '%{http_code}' -X POST "$url/metrics")
[ "$code" = 405 ] || ps_fail "POST /metrics gave $code, not 405"
sv_stop

# A storm: 50 concurrent scrapes from 50 addresses within one interval
# share one sample.
sv_start --min-interval 3600
pids=()
for i in $(seq 1 50); do
	ip netns exec "$ns" curl -sf -o "$PS_TMPDIR/storm.$i" --interface "127.0.0.$((i + 1))" "$url/metrics" &
	pids+=($!)
done
failed=0
for p in "${pids[@]}"; do
	wait "$p" || failed=$((failed + 1))
done
[ "$failed" = 0 ] || ps_fail "$failed of 50 concurrent scrapes failed"
sv_has "$(sv_get "$url/metrics")" 'portstat_samples_total 1'
grep -qx 'portstat_tcp_sockets{state="close_wait"} 2' "$PS_TMPDIR"/storm.* ||
	ps_fail "storm scrapes did not get the sample"

# Idle connections from one address: at most 8 are accepted from it; a
# scrape from another address still gets through.
for i in $(seq 1 12); do
	ip netns exec "$ns" bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; sleep 20" 2>/dev/null &
	held+=($!)
done
for ((i = 0; i < 50; i++)); do
	n=$(ip netns exec "$ns" ss -Htn state established "( sport = :$port )" | wc -l)
	[ "$n" -ge 8 ] && break
	sleep 0.1
done
sleep 0.3	# give the server the time to refuse the extra ones (not asserted on)
sv_get --max-time 3 -o /dev/null "$url/metrics" &&
	ps_fail "a 13th connection from 127.0.0.1 was served (limit 8 per address)"
sv_get --max-time 5 --interface 127.0.0.99 -o /dev/null "$url/metrics" ||
	ps_fail "a scrape from another address was refused while one address held connections"
for p in "${held[@]}"; do
	kill "$p" 2>/dev/null
	wait "$p" 2>/dev/null
done
held=()
sv_stop

# Membership with hysteresis, --top 2: 26001 in (6) and out (5) are
# exported.  A newcomer ranking above them (26101: 9 and 8) does not
# displace them (it does not count twice as many); one that does (26201:
# 31 and 30) does.  The bound holds throughout: 2 rows and "other", each
# with the states -s selects (the scrapes above left TIME_WAIT on the
# exporter's own port, which would outrank the population).
rows() { grep -o '^portstat_tcp_port_sockets{port="[0-9]*",direction="[a-z]*"' <<<"$1" | sort -u | tr '\n' ' '; }
sv_start --top 2 --min-interval 0 -s listen,established,close-wait
body=$(sv_get "$url/metrics")
[ "$(rows "$body")" = 'portstat_tcp_port_sockets{port="26001",direction="in" portstat_tcp_port_sockets{port="26001",direction="out" ' ] ||
	ps_fail "--top 2 exports: $(rows "$body")"
ps_popgen_start "$ns" --established 8 --port-base 26100
body=$(sv_get "$url/metrics")
[ "$(rows "$body")" = 'portstat_tcp_port_sockets{port="26001",direction="in" portstat_tcp_port_sockets{port="26001",direction="out" ' ] ||
	ps_fail "a newcomer not twice as big displaced a member: $(rows "$body")"
sv_has "$body" 'portstat_tcp_port_sockets{port="other",direction="in",state="established"} 9'
ps_popgen_start "$ns" --established 30 --port-base 26200
body=$(sv_get "$url/metrics")
[ "$(rows "$body")" = 'portstat_tcp_port_sockets{port="26201",direction="in" portstat_tcp_port_sockets{port="26201",direction="out" ' ] ||
	ps_fail "a newcomer twice as big did not displace the members: $(rows "$body")"
sv_has "$body" 'portstat_tcp_port_sockets{port="26201",direction="in",state="established"} 30'
[ "$(grep -c '^portstat_tcp_port_sockets{' <<<"$body")" = 12 ] ||
	ps_fail "$(grep -c '^portstat_tcp_port_sockets{' <<<"$body") port series, want (2 + 2) x 3"
sv_stop

# --all-netns: this namespace among the others, labelled by its name.
sv_start --all-netns --min-interval 0
body=$(sv_get "$url/metrics") || ps_fail "GET /metrics (--all-netns) failed"
sv_has "$body" "portstat_tcp_port_sockets{netns=\"$ns\",port=\"26002\",direction=\"in\",state=\"close_wait\"} 2"
sv_has "$body" "portstat_tcp_port_sockets{netns=\"$ns\",port=\"26002\",direction=\"in\",state=\"fin_wait1\"} 0"
sv_has "$body" 'portstat_errors_total{kind="sample"} 0'
sv_promtool "$body" --all-netns
sv_stop

# Unprivileged: its own namespace is all it needs.
sv_start -u nobody --min-interval 0
body=$(sv_get "$url/metrics") || ps_fail "GET /metrics (as nobody) failed"
sv_has "$body" 'portstat_tcp_port_sockets{port="26002",direction="in",state="close_wait"} 2'
sv_has "$body" 'portstat_errors_total{kind="sample"} 0'
sv_stop
echo "it_serve: 1 passed, 0 failed"
