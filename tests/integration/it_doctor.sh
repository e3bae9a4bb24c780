#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# portstat doctor over live pathologies, one namespace each (issue 17):
#   - a listener with backlog 4 that never accepts while 20 clients
#     connect: accept-queue CRITICAL, queue 5 of backlog 4, and the
#     namespace's ListenOverflows counter (read inside it) growing;
#   - a 100-port ip_local_port_range with 80 client-closed connections in
#     TIME_WAIT: ephemeral WARNING 80 of 100 with tcp_tw_reuse 0, OK once
#     tcp_tw_reuse lets loopback TIME_WAIT ports be reused (2), CRITICAL
#     with --crit ephemeral=75%;
#   - a server that closes first: server-close on ":8080 in" with its count;
#   - a CLOSE_WAIT leak: close-wait on ":8081 in" with its count and its
#     owner, and its mirror, the clients' FIN_WAIT2 pile toward the peer
#     (fin-wait2);
#   - CLOSE_WAIT per owner: one process leaking on two ports, each below
#     the level (a finding by pid listing its ports), and two processes
#     on a port each (each port's owners listed with their counts);
#   - tcp_max_tw_buckets 10 with 30 client-closed connections: tw-buckets
#     CRITICAL 10 of 10, TCPTimeWaitOverflow counted;
#   - 20 spoofed SYNs to a backlog-4 listener whose SYN-ACKs go nowhere:
#     syn-recv CRITICAL 5 of 4, SyncookiesSent 15 more;
#   - orphans: 3 closed clients in FIN_WAIT1 with unsent data toward a
#     server that never reads (zero window);
#   - a healthy namespace: OK, exit 0.
# Each checks the status line (plugin grammar, via perfdata.py), the exit
# status, and the JSON finding's numbers.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
ps_require_root
command -v jq >/dev/null || ps_fail "jq not installed"
here=$(cd "$(dirname "$0")" && pwd)
source "$here/doctor_lib.sh"
PERF="$PY $here/perfdata.py"

# doctor WANT NS ARGS...: run doctor (text) into $PS_TMPDIR/d.out, check
# the exit status and the plugin grammar of the first line.
doctor() {
	local want=$1 ns=$2 rc
	shift 2
	"$PORTSTAT" doctor -N "$ns" "$@" >"$PS_TMPDIR/d.out" 2>"$PS_TMPDIR/d.err"; rc=$?
	[ "$rc" = "$want" ] || ps_fail "doctor $*: exit $rc, want $want: $(cat "$PS_TMPDIR/d.out" "$PS_TMPDIR/d.err")"
	$PERF "$rc" <"$PS_TMPDIR/d.out" >"$PS_TMPDIR/perf.json" ||
		ps_fail "doctor $*: not plugin output: $(head -1 "$PS_TMPDIR/d.out")"
}

# json NS ARGS...: the JSON sample.
json() {
	local ns=$1
	shift
	"$PORTSTAT" doctor -N "$ns" -f json "$@" 2>"$PS_TMPDIR/j.err"
}

# --- healthy: OK ----------------------------------------------------------
ps_netns_new healthy
lab "$healthy" healthy 7000 1
doctor 0 "$healthy"
head -1 "$PS_TMPDIR/d.out" | grep -q '^OK: 8 checks passed | ' || ps_fail "healthy: $(head -1 "$PS_TMPDIR/d.out")"
[ "$(grep -c '^ok ' "$PS_TMPDIR/d.out")" = 8 ] || ps_fail "healthy: not 8 ok lines: $(cat "$PS_TMPDIR/d.out")"
[ "$(json "$healthy" | jq -c '[.status, (.findings | length)]')" = '["ok",0]' ] || ps_fail "healthy json"
cp "$PS_TMPDIR/d.out" "$PS_TMPDIR/healthy.txt"
echo "ok: healthy namespace is OK, exit 0"

# --- accept queue -----------------------------------------------------------
ps_netns_new acc
before=$(netstat_field "$acc" ListenOverflows)
lab "$acc" backlog 8080 20
# The handshakes complete in the kernel, not in the lab: poll until the
# queue holds backlog + 1 (the most Linux queues) and overflows were counted.
for ((i = 0; i < 100; i++)); do
	j=$(json "$acc")
	[ "$(jq -c '[.findings[] | select(.check == "accept-queue") | .value]' <<<"$j")" = "[5]" ] &&
		[ "$(jq .listen_overflows <<<"$j")" -gt "$before" ] && break
	sleep 0.1
done
[ "$(jq -c '[.status, .findings[0].check, .findings[0].severity, .findings[0].where, .findings[0].port, .findings[0].direction, .findings[0].value, .findings[0].limit, .findings[0].percent]' <<<"$j")" = \
  '["critical","accept-queue","critical","listener 127.0.0.1:8080",8080,"in",5,4,125]' ] ||
	ps_fail "accept queue: $j"
after=$(netstat_field "$acc" ListenOverflows)
[ "$(jq .listen_overflows <<<"$j")" -gt 0 ] || ps_fail "ListenOverflows not counted: $j"
[ "$(jq .listen_overflows <<<"$j")" -le "$after" ] || ps_fail "ListenOverflows $j above the namespace's $after"
doctor 2 "$acc"
grep -q "^CRITICAL: accept-queue: listener 127.0.0.1:8080 accept queue 5 of backlog 4 (125%)" "$PS_TMPDIR/d.out" ||
	ps_fail "accept text: $(cat "$PS_TMPDIR/d.out")"
# The listener's owner: the lab itself.
grep -q "^CRITICAL  accept-queue  listener 127.0.0.1:8080 (python3\[${LAB_PIDS[-1]}\], cgroup " "$PS_TMPDIR/d.out" ||
	ps_fail "accept owner (lab ${LAB_PIDS[-1]}): $(cat "$PS_TMPDIR/d.out")"
[ "$(jq -r '.findings[0].process' <<<"$(json "$acc")")" = "python3[${LAB_PIDS[-1]}]" ] || ps_fail "accept owner json"
[ "$(jq -r '[.metrics.accept_queue | .value, .uom, .warn, .crit] | @tsv' "$PS_TMPDIR/perf.json")" = "125	%	80	100" ] ||
	ps_fail "accept perfdata: $(cat "$PS_TMPDIR/perf.json")"
grep -q "fix: .*net.core.somaxconn (4096)" "$PS_TMPDIR/d.out" || ps_fail "somaxconn not shown: $(cat "$PS_TMPDIR/d.out")"
# A higher crit level makes it a warning.
doctor 1 "$acc" --crit accept-queue=200%
doctor 2 "$acc"
cp "$PS_TMPDIR/d.out" "$PS_TMPDIR/accept.txt"
# -i: the counters' growth between samples, put on the full listener
# (how much depends on when the clients retransmit; it must match the
# counters' difference).
"$PORTSTAT" doctor -N "$acc" -f json -i 1.5 -c 2 >"$PS_TMPDIR/i.json" 2>"$PS_TMPDIR/i.err"
[ "$(wc -l <"$PS_TMPDIR/i.json")" = 2 ] || ps_fail "-i -c 2: $(cat "$PS_TMPDIR/i.json" "$PS_TMPDIR/i.err")"
[ "$(head -1 "$PS_TMPDIR/i.json" | jq 'has("listen_overflows_delta")')" = false ] || ps_fail "delta on the first sample"
d1=$(tail -1 "$PS_TMPDIR/i.json" | jq '.listen_overflows_delta')
o1=$(head -1 "$PS_TMPDIR/i.json" | jq '.listen_overflows')
o2=$(tail -1 "$PS_TMPDIR/i.json" | jq '.listen_overflows')
[ "$d1" = "$((o2 - o1))" ] || ps_fail "delta $d1, counters $o1 -> $o2"
# Said once for the namespace, with the one full listener; not as this
# listener's own drops.
[ "$(tail -1 "$PS_TMPDIR/i.json" | jq '.full_listeners')" = 1 ] || ps_fail "-i full_listeners: $(tail -1 "$PS_TMPDIR/i.json")"
tail -1 "$PS_TMPDIR/i.json" | jq -e --arg d "$d1" '.listen_overflows_note | test("^namespace ListenOverflows \\+" + $d + ", ListenDrops \\+[0-9]+ since the last sample, while 1 listener was full \\(listener 127\\.0\\.0\\.1:8080\\); the kernel does not count them per listener$")' >/dev/null ||
	ps_fail "-i attribution: $(tail -1 "$PS_TMPDIR/i.json")"
tail -1 "$PS_TMPDIR/i.json" | jq -e '.findings[0].why | test("shared by its full listeners") and (test("\\+[0-9]") | not)' >/dev/null ||
	ps_fail "-i why: $(tail -1 "$PS_TMPDIR/i.json")"
"$PORTSTAT" doctor -N "$acc" -i 1 -c 2 >"$PS_TMPDIR/i.txt" 2>/dev/null
[ "$(grep -c '^namespace ListenOverflows +[0-9]*, ListenDrops +[0-9]* since the last sample, while 1 listener was full (listener 127.0.0.1:8080)' "$PS_TMPDIR/i.txt")" = 1 ] ||
	ps_fail "-i text: the attribution not once: $(cat "$PS_TMPDIR/i.txt")"
echo "ok: accept queue full: CRITICAL 5 of 4, ListenOverflows $(jq .listen_overflows <<<"$j") read in the namespace"
# --record: a new 0600 file whose replay gives the same verdict, numbers
# and counters (the context was recorded with the sample), without owners.
"$PORTSTAT" doctor -N "$acc" -f json --record "$PS_TMPDIR/acc.rec" >"$PS_TMPDIR/live.json" 2>"$PS_TMPDIR/live.err"; rc=$?
[ "$rc" = 2 ] || ps_fail "doctor --record: exit $rc: $(cat "$PS_TMPDIR/live.err")"
[ "$(stat -c %a "$PS_TMPDIR/acc.rec")" = 600 ] || ps_fail "recording mode $(stat -c %a "$PS_TMPDIR/acc.rec")"
"$PORTSTAT" doctor --replay "$PS_TMPDIR/acc.rec" -f json >"$PS_TMPDIR/replay.json" 2>"$PS_TMPDIR/replay.err"; rc=$?
[ "$rc" = 2 ] || ps_fail "doctor --replay: exit $rc: $(cat "$PS_TMPDIR/replay.err")"
[ ! -s "$PS_TMPDIR/replay.err" ] || ps_fail "doctor --replay said: $(cat "$PS_TMPDIR/replay.err")"
[ "$(jq -c 'del(.netns, .findings[].process, .findings[].cgroup)' "$PS_TMPDIR/live.json")" = \
  "$(jq -c 'del(.netns)' "$PS_TMPDIR/replay.json")" ] ||
	ps_fail "replay differs: $(cat "$PS_TMPDIR/live.json" "$PS_TMPDIR/replay.json")"
[ "$(jq -c '[.findings[0].process, .findings[0].value, .listen_overflows > 0]' "$PS_TMPDIR/replay.json")" = '[null,5,true]' ] ||
	ps_fail "replay: $(cat "$PS_TMPDIR/replay.json")"
echo "ok: doctor --record / --replay: same findings and counters, no owners"

# --- ephemeral ports ----------------------------------------------------------
ps_netns_new eph
ip netns exec "$eph" sysctl -qw net.ipv4.ip_local_port_range="40000 40099" || ps_fail "sysctl range"
ip netns exec "$eph" sysctl -qw net.ipv4.tcp_tw_reuse=0 || ps_fail "sysctl tw_reuse"
lab "$eph" clientclose 9000 80
j=$(json "$eph")
[ "$(jq -c '[.status, .findings[0].check, .findings[0].severity, .findings[0].where, .findings[0].port, .findings[0].direction, .findings[0].value, .findings[0].limit, .findings[0].percent]' <<<"$j")" = \
  '["warning","ephemeral","warning","127.0.0.1 -> 127.0.0.1:9000",9000,"out",80,100,80]' ] || ps_fail "ephemeral: $j"
doctor 1 "$eph"
grep -q "^WARNING: ephemeral: 127.0.0.1 -> 127.0.0.1:9000 80 of 100 local ports taken (80%), 80 in TIME_WAIT; range 40000-40099, 0 reserved" "$PS_TMPDIR/d.out" ||
	ps_fail "ephemeral text: $(cat "$PS_TMPDIR/d.out")"
grep -q "tcp_tw_reuse 0" "$PS_TMPDIR/d.out" || ps_fail "tw_reuse not shown"
cp "$PS_TMPDIR/d.out" "$PS_TMPDIR/ephemeral.txt"
doctor 2 "$eph" --crit ephemeral=75%
# Reserved ports shrink the range: 80 of 90 is critical (88%).
ip netns exec "$eph" sysctl -qw net.ipv4.ip_local_reserved_ports="40090-40099,8080" || ps_fail "sysctl reserved"
j=$(json "$eph")
[ "$(jq -c '[.findings[0].value, .findings[0].limit, .findings[0].percent, .findings[0].severity]' <<<"$j")" = '[80,90,88,"critical"]' ] ||
	ps_fail "reserved: $j"
ip netns exec "$eph" sysctl -qw net.ipv4.ip_local_reserved_ports="" || ps_fail "sysctl reserved"
# tcp_tw_reuse 2 reuses TIME_WAIT ports toward loopback: nothing taken.
ip netns exec "$eph" sysctl -qw net.ipv4.tcp_tw_reuse=2 || ps_fail "sysctl tw_reuse"
doctor 0 "$eph"
grep -q "^ok        ephemeral     1 destination, fullest 0% of ports 40000-40099 (0 reserved), tcp_tw_reuse 2" "$PS_TMPDIR/d.out" ||
	ps_fail "tw_reuse 2: $(cat "$PS_TMPDIR/d.out")"
echo "ok: ephemeral 80 of 100 WARNING, reserved ports counted, tcp_tw_reuse honoured"

# --- server closes first ------------------------------------------------------
ps_netns_new srv
lab "$srv" serverclose 8080 30
doctor 1 "$srv" --warn server-close=20 --crit server-close=100
grep -q "^WARNING: server-close: :8080 in 30 TIME_WAIT (about 0.5 closes/s by this server), more than 20" "$PS_TMPDIR/d.out" ||
	ps_fail "server-close text: $(cat "$PS_TMPDIR/d.out")"
[ "$(jq -r '[.metrics.server_close | .value, .warn, .crit] | @tsv' "$PS_TMPDIR/perf.json")" = "30	20	100" ] ||
	ps_fail "server-close perfdata: $(cat "$PS_TMPDIR/perf.json")"
# TIME_WAIT has no owner: the port's listener names the server.
grep -q "^WARNING   server-close  :8080 in (python3\[${LAB_PIDS[-1]}\]" "$PS_TMPDIR/d.out" ||
	ps_fail "server-close owner (lab ${LAB_PIDS[-1]}): $(cat "$PS_TMPDIR/d.out")"
cp "$PS_TMPDIR/d.out" "$PS_TMPDIR/serverclose.txt"
# Defaults (more than 1000): OK, with the count on the check's line.
doctor 0 "$srv"
grep -q "^ok        server-close  1 inbound port with TIME_WAIT, at most 30" "$PS_TMPDIR/d.out" ||
	ps_fail "server-close ok line: $(cat "$PS_TMPDIR/d.out")"
echo "ok: server closing first: 30 TIME_WAIT on :8080 in"

# --- CLOSE_WAIT leak ------------------------------------------------------------
ps_netns_new cw
lab "$cw" closewait 8081 15
count_state "$cw" close-wait 15
doctor 1 "$cw"
grep -q "^WARNING: close-wait: :8081 in 15 CLOSE_WAIT, more than 10" "$PS_TMPDIR/d.out" ||
	ps_fail "close-wait text: $(cat "$PS_TMPDIR/d.out")"
grep -q "^WARNING   close-wait    :8081 in (python3\[${LAB_PIDS[-1]}\]" "$PS_TMPDIR/d.out" ||
	ps_fail "close-wait owner (lab ${LAB_PIDS[-1]}): $(cat "$PS_TMPDIR/d.out")"
cp "$PS_TMPDIR/d.out" "$PS_TMPDIR/closewait.txt"
# Unprivileged, inside the namespace: the lab's sockets are root's, so
# their owners cannot be seen.  The counts and findings stay; the text
# says how many sockets have no known owner, stderr says why, once.
id nobody >/dev/null 2>&1 || ps_fail "no user nobody for the unprivileged run"
ps_reachable_copy "$PORTSTAT" user_portstat
ip netns exec "$cw" runuser -u nobody -- "$user_portstat" doctor -i 0.1 -c 2 >"$PS_TMPDIR/u.out" 2>"$PS_TMPDIR/u.err"; rc=$?
[ "$rc" = 1 ] || ps_fail "unprivileged doctor: exit $rc: $(cat "$PS_TMPDIR/u.out" "$PS_TMPDIR/u.err")"
[ "$(grep -c '^                        owners: 15 whose owner was not found$' "$PS_TMPDIR/u.out")" = 2 ] ||
	ps_fail "unprivileged: unknown owners not said: $(cat "$PS_TMPDIR/u.out")"
grep -q "^WARNING   close-wait    :8081 in: 15 CLOSE_WAIT, more than 10$" "$PS_TMPDIR/u.out" ||
	ps_fail "unprivileged: close-wait: $(cat "$PS_TMPDIR/u.out")"
[ "$(grep -c '^portstat: note: owners of 1[56] sockets unknown: [0-9]* process\(es\)\? of other users cannot be inspected without root' "$PS_TMPDIR/u.err")" = 1 ] ||
	ps_fail "unprivileged: no note, or not once: $(cat "$PS_TMPDIR/u.err")"
ip netns exec "$cw" runuser -u nobody -- "$user_portstat" doctor -f json >"$PS_TMPDIR/u.json" 2>/dev/null
jq -e '.findings[] | select(.check == "close-wait") | .owners == [] and .owners_unknown == 15 and (has("process") | not)' "$PS_TMPDIR/u.json" >/dev/null ||
	ps_fail "unprivileged JSON: $(cat "$PS_TMPDIR/u.json")"
echo "ok: unprivileged: owners unknown said, counts kept, exit 1"

# A hostile owner: a name of invalid UTF-8, controls and a '|'.  JSON
# stays valid (strict parser), the text escapes it, and no '|' past the
# status line forges perfdata (perfdata.py reads the long text too).
ps_netns_new hos
lab "$hos" hostile 8082 12
count_state "$hos" close-wait 12
doctor 1 "$hos"
grep -q '^WARNING   close-wait    :8082 in (\\xff\\x1b\[31m\\x7cx\\x0a\\x07\['"${LAB_PIDS[-1]}"'\]' "$PS_TMPDIR/d.out" ||
	ps_fail "hostile name not escaped: $(cat -v "$PS_TMPDIR/d.out")"
! tail -n +2 "$PS_TMPDIR/d.out" | grep -q '[|[:cntrl:]]' || ps_fail "a '|' or control in the text: $(cat -v "$PS_TMPDIR/d.out")"
json "$hos" >"$PS_TMPDIR/hos.json"
$PY -c 'import json, sys
d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8", "strict"))
f = [x for x in d["findings"] if x["check"] == "close-wait"][0]
assert f["owners"][0]["comm"] == "\ufffd\x1b[31m|x\n\x07", f
assert f["process"] == "\ufffd\x1b[31m|x\n\x07[%s]" % sys.argv[2], f' "$PS_TMPDIR/hos.json" "${LAB_PIDS[-1]}" ||
	ps_fail "hostile JSON: $(cat -v "$PS_TMPDIR/hos.json")"
echo "ok: hostile owner name: JSON valid, text escaped, no forged perfdata"
doctor 2 "$cw" --warn close-wait=5 --crit close-wait=14
echo "ok: CLOSE_WAIT leak: 15 on :8081 in"
# Its mirror: the clients' 15 FIN_WAIT2 toward the peer that never closes.
j=$(json "$cw")
[ "$(jq -c '[.findings[] | select(.check == "fin-wait2") | .severity, .where, .value, .limit]' <<<"$j")" = \
  '["warning","peer 127.0.0.1",15,10]' ] || ps_fail "fin-wait2: $j"
grep -q "^WARNING   fin-wait2     peer 127.0.0.1: 15 FIN_WAIT2, more than 10" "$PS_TMPDIR/d.out" ||
	ps_fail "fin-wait2 text: $(cat "$PS_TMPDIR/d.out")"
echo "ok: FIN_WAIT2 pile: 15 toward peer 127.0.0.1"

# --- CLOSE_WAIT per owner ---------------------------------------------------------
# One process leaking 6 on each of two ports (no port past 10, the process
# past it: a finding by owner listing its ports), and two processes each
# leaking on a port of its own (each port's finding names its owner).
ps_netns_new cwo
lab "$cwo" closewait2 9001 6
p1=${LAB_PIDS[-1]}
lab "$cwo" closewait 8083 12
p2=${LAB_PIDS[-1]}
lab "$cwo" closewait 8084 11
p3=${LAB_PIDS[-1]}
for ((i = 0; i < 100; i++)); do
	[ "$(ip netns exec "$cwo" ss -Htan state close-wait | wc -l)" = 35 ] && break
	sleep 0.05
done
j=$(json "$cwo")
[ "$(jq -c '[.findings[] | select(.check == "close-wait") | [.severity, .where, .value, .limit, .process]]' <<<"$j")" = \
  "[[\"warning\",\"pid $p1\",12,10,\"python3[$p1]\"],[\"warning\",\":8083 in\",12,10,\"python3[$p2]\"],[\"warning\",\":8084 in\",11,10,\"python3[$p3]\"]]" ] ||
	ps_fail "close-wait by owner: $j"
[ "$(jq -c '.findings[] | select(.where == "pid '"$p1"'") | [.pid, .ports, .ports_other]' <<<"$j")" = \
  "[$p1,[{\"port\":9001,\"direction\":\"in\",\"count\":6},{\"port\":9002,\"direction\":\"in\",\"count\":6}],0]" ] ||
	ps_fail "the leaking process's ports: $j"
[ "$(jq -c '.findings[] | select(.where == ":8083 in") | [[.owners[] | .pid, .comm, .count], .owners_other, .owners_unknown]' <<<"$j")" = \
  "[[$p2,\"python3\",12],0,0]" ] || ps_fail ":8083's owners: $j"
[ "$(jq -c '.findings[] | select(.where == ":8084 in") | [.owners[] | .pid, .count]' <<<"$j")" = "[$p3,11]" ] ||
	ps_fail ":8084's owners: $j"
# Each owner's cgroup is its /proc/PID/cgroup's.
cg=$(sed -n 's/^0:://p' "/proc/$p2/cgroup")
[ "$(jq -r '.findings[] | select(.where == ":8083 in") | .owners[0].cgroup' <<<"$j")" = "$cg" ] ||
	ps_fail ":8083's owner's cgroup, want '$cg': $j"
doctor 1 "$cwo"
grep -q "^WARNING   close-wait    pid $p1 (python3\[$p1\]\(, cgroup [^)]*\)\?): 12 CLOSE_WAIT over 2 ports, more than 10$" "$PS_TMPDIR/d.out" &&
	grep -q "^                        ports: :9001 in 6, :9002 in 6$" "$PS_TMPDIR/d.out" &&
	grep -q "^                        owners: python3\[$p2\] 12\( (cgroup [^)]*)\)\?$" "$PS_TMPDIR/d.out" &&
	grep -q "^                        owners: python3\[$p3\] 11\( (cgroup [^)]*)\)\?$" "$PS_TMPDIR/d.out" ||
	ps_fail "close-wait by owner, text: $(cat "$PS_TMPDIR/d.out")"
cp "$PS_TMPDIR/d.out" "$PS_TMPDIR/closewait-owners.txt"
echo "ok: CLOSE_WAIT per owner: pid $p1 12 over :9001 and :9002; :8083 python3[$p2] 12, :8084 python3[$p3] 11"

# --- TIME_WAIT table ------------------------------------------------------------
ps_netns_new tw
ip netns exec "$tw" sysctl -qw net.ipv4.tcp_max_tw_buckets=10 || ps_fail "sysctl max_tw_buckets"
lab "$tw" clientclose 9000 30
j=$(json "$tw")
[ "$(jq -c '[.status, .findings[0].check, .findings[0].severity, .findings[0].where, .findings[0].value, .findings[0].limit, .findings[0].percent]' <<<"$j")" = \
  '["critical","tw-buckets","critical","namespace",10,10,100]' ] || ps_fail "tw-buckets: $j"
overflow=$(netstat_field "$tw" TCPTimeWaitOverflow)
[ "$overflow" -ge 20 ] || ps_fail "TCPTimeWaitOverflow $overflow, want 20 or more"
doctor 2 "$tw"
grep -q "^CRITICAL: tw-buckets: namespace 10 TIME_WAIT of tcp_max_tw_buckets 10 (100%), TCPTimeWaitOverflow $overflow" "$PS_TMPDIR/d.out" ||
	ps_fail "tw-buckets text: $(cat "$PS_TMPDIR/d.out")"
cp "$PS_TMPDIR/d.out" "$PS_TMPDIR/twbuckets.txt"
# The report's --record carries the context too: doctor diagnoses it.
"$PORTSTAT" -N "$tw" --record "$PS_TMPDIR/tw.rec" >/dev/null || ps_fail "report --record"
"$PORTSTAT" doctor --replay "$PS_TMPDIR/tw.rec" >"$PS_TMPDIR/tw.out" 2>&1; rc=$?
[ "$rc" = 2 ] && grep -q "^CRITICAL: tw-buckets: namespace 10 TIME_WAIT of tcp_max_tw_buckets 10 (100%)" "$PS_TMPDIR/tw.out" ||
	ps_fail "doctor over the report's recording: exit $rc: $(cat "$PS_TMPDIR/tw.out")"
echo "ok: TIME_WAIT table full: 10 of 10, TCPTimeWaitOverflow $overflow"

# --- SYN_RECV ---------------------------------------------------------------------
# A listener with backlog 4 on 10.0.0.1 (a veth end whose peer nobody
# reads) gets 20 SYNs from 10.0.0.2: its SYN-ACKs go out and are never
# answered, so it holds half-open connections, then sends cookies.
ps_netns_new syn
synflood_ns "$syn"
cookies_before=$(netstat_field "$syn" SyncookiesSent)
lab "$syn" synflood 8080 20
count_state "$syn" syn-recv 5
cookies=$(netstat_field "$syn" SyncookiesSent)
[ "$((cookies - cookies_before))" = 15 ] || ps_fail "SyncookiesSent grew by $((cookies - cookies_before)), want 15"
j=$(json "$syn")
[ "$(jq -c '[.status, .findings[0].check, .findings[0].severity, .findings[0].where, .findings[0].value, .findings[0].limit, .findings[0].percent, .findings[0].process]' <<<"$j")" = \
  '["critical","syn-recv","critical",":8080 in",5,4,125,"python3['"${LAB_PIDS[-1]}"']"]' ] || ps_fail "syn-recv: $j"
doctor 2 "$syn"
grep -q "^CRITICAL: syn-recv: :8080 in 5 SYN_RECV of backlog 4 (125%)" "$PS_TMPDIR/d.out" ||
	ps_fail "syn-recv text: $(cat "$PS_TMPDIR/d.out")"
grep -q "(tcp_syncookies 1, SyncookiesSent $cookies)" "$PS_TMPDIR/d.out" ||
	ps_fail "syn-recv cookies: $(cat "$PS_TMPDIR/d.out")"
cp "$PS_TMPDIR/d.out" "$PS_TMPDIR/synrecv.txt"
echo "ok: SYN_RECV 5 of backlog 4, SyncookiesSent $cookies"
# Four SO_REUSEPORT listeners of backlog 4 on one address and port: 8
# half-open connections spread over their four queues are 8 of 16, not
# 8 of 4 (no queue is full: no cookies were sent).
ps_netns_new synr
synflood_ns "$synr"
lab "$synr" synreuse 8080 8
count_state "$synr" syn-recv 8 || ps_fail "reuseport: not 8 SYN_RECV: $(ip netns exec "$synr" ss -tan)"
doctor 0 "$synr"
[ "$(jq -r '.metrics.syn_recv.value' "$PS_TMPDIR/perf.json")" = 50 ] || ps_fail "reuseport syn-recv: $(cat "$PS_TMPDIR/d.out")"
[ "$(netstat_field "$synr" SyncookiesSent)" = 0 ] || ps_fail "reuseport: cookies sent"
echo "ok: SYN_RECV over four SO_REUSEPORT listeners: 8 of 16 (50%), OK"

# --- orphans ----------------------------------------------------------------------
# 3 clients fill a server that never reads, then close: 3 FIN_WAIT1
# orphans with unsent data.  tcp_max_orphans is host-wide (not touched
# here): 3 of it is 0%, a finding with --warn orphans=0%.
ps_netns_new orph
lab "$orph" orphan 8080 3
max_orphans=$(cat /proc/sys/net/ipv4/tcp_max_orphans)
doctor 0 "$orph"
grep -q "^ok        orphans       3 orphaned sockets, 0% of tcp_max_orphans $max_orphans" "$PS_TMPDIR/d.out" ||
	ps_fail "orphans ok line: $(cat "$PS_TMPDIR/d.out")"
doctor 1 "$orph" --warn orphans=0%
grep -q "^WARNING: orphans: namespace 3 orphaned of tcp_max_orphans $max_orphans (0%), 3 in FIN_WAIT1 with unsent data" "$PS_TMPDIR/d.out" ||
	ps_fail "orphans text: $(cat "$PS_TMPDIR/d.out")"
cp "$PS_TMPDIR/d.out" "$PS_TMPDIR/orphans.txt"
echo "ok: 3 orphans with unsent data"

# --- every namespace -----------------------------------------------------------------
# Ours among whatever else the host has: each object is its namespace's
# report, and the worst (our full accept queue, at least) decides.
"$PORTSTAT" doctor --all-netns -f json >"$PS_TMPDIR/all.json" 2>"$PS_TMPDIR/all.err"; rc=$?
[ "$rc" = 2 ] || ps_fail "--all-netns: exit $rc: $(cat "$PS_TMPDIR/all.err")"
[ "$(jq -r .status "$PS_TMPDIR/all.json")" = critical ] || ps_fail "--all-netns status"
[ "$(jq -c --arg ns "$acc" '[.namespaces[] | select(.netns == $ns) | .findings[0] | .check, .value, .limit]' "$PS_TMPDIR/all.json")" = \
  '["accept-queue",5,4]' ] || ps_fail "--all-netns: $acc: $(cat "$PS_TMPDIR/all.json")"
[ "$(jq -c --arg ns "$healthy" '[.namespaces[] | select(.netns == $ns) | .status]' "$PS_TMPDIR/all.json")" = '["ok"]' ] ||
	ps_fail "--all-netns: $healthy"
[ "$(jq -r '.namespaces[0].netns' "$PS_TMPDIR/all.json")" = host ] || ps_fail "--all-netns: host not first"
"$PORTSTAT" doctor --all-netns >"$PS_TMPDIR/all.txt" 2>/dev/null; rc=$?
[ "$rc" = 2 ] || ps_fail "--all-netns text: exit $rc"
$PERF 2 <"$PS_TMPDIR/all.txt" >/dev/null || ps_fail "--all-netns: not plugin output: $(head -1 "$PS_TMPDIR/all.txt")"
grep -q "^portstat doctor, namespace $acc, .*: 1 critical" "$PS_TMPDIR/all.txt" || ps_fail "--all-netns text: $acc"
# -i: each namespace's counters' growth since its last sample, as for one.
"$PORTSTAT" doctor --all-netns -f json -i 0.5 -c 2 >"$PS_TMPDIR/alli.json" 2>/dev/null
[ "$(head -1 "$PS_TMPDIR/alli.json" | jq -c --arg ns "$acc" '.namespaces[] | select(.netns == $ns) | has("listen_overflows_delta")')" = false ] ||
	ps_fail "--all-netns -i: a delta on the first sample: $(head -1 "$PS_TMPDIR/alli.json")"
o1=$(head -1 "$PS_TMPDIR/alli.json" | jq --arg ns "$acc" '.namespaces[] | select(.netns == $ns) | .listen_overflows')
[ "$(tail -1 "$PS_TMPDIR/alli.json" | jq -c --arg ns "$acc" '.namespaces[] | select(.netns == $ns) | [.listen_overflows_delta + '"$o1"' == .listen_overflows, .full_listeners]')" = '[true,1]' ] ||
	ps_fail "--all-netns -i: no growth for $acc: $(cat "$PS_TMPDIR/alli.json")"
# The sections' status lines carry no perfdata of their own.
[ "$(grep -c ' | ' "$PS_TMPDIR/all.txt")" = 1 ] || ps_fail "--all-netns: perfdata past the first line: $(cat "$PS_TMPDIR/all.txt")"
# Unprivileged: the other namespaces cannot be entered; each is in the
# JSON with its error (as the report's), and the text says they are
# unreadable, not "with findings".
runuser -u nobody -- "$user_portstat" doctor --all-netns -f json >"$PS_TMPDIR/nall.json" 2>"$PS_TMPDIR/nall.err"; rc=$?
[ "$rc" = 3 ] || ps_fail "unprivileged --all-netns: exit $rc"
[ "$(jq -c --arg ns "$acc" '[.status, (.namespaces[] | select(.netns == $ns) | .status, (.error | test("^cannot enter network namespace")))]' "$PS_TMPDIR/nall.json")" = \
  '["unknown","unknown",true]' ] || ps_fail "unprivileged --all-netns JSON: $(cat "$PS_TMPDIR/nall.json")"
runuser -u nobody -- "$user_portstat" doctor --all-netns >"$PS_TMPDIR/nall.txt" 2>/dev/null; rc=$?
[ "$rc" = 3 ] || ps_fail "unprivileged --all-netns text: exit $rc"
$PERF 3 <"$PS_TMPDIR/nall.txt" >/dev/null || ps_fail "unprivileged --all-netns: not plugin output: $(cat "$PS_TMPDIR/nall.txt")"
head -1 "$PS_TMPDIR/nall.txt" | grep -q ': cannot enter network namespace: .* ([0-9]* of [0-9]* namespaces with findings, [1-9][0-9]* unreadable)$' ||
	ps_fail "unprivileged --all-netns verdict: $(head -1 "$PS_TMPDIR/nall.txt")"
grep -q "^portstat doctor, namespace $acc: UNKNOWN, cannot enter network namespace" "$PS_TMPDIR/nall.txt" ||
	ps_fail "unprivileged --all-netns: $acc not said: $(cat "$PS_TMPDIR/nall.txt")"
echo "ok: --all-netns: every namespace, worst decides"

# --- usage errors: UNKNOWN on stdout, exit 3 -----------------------------------
for args in "--crit ephemeral=90" "--warn bogus=1" "--warn close-wait=5%" "-f csv" "--warn ephemeral=90% --crit ephemeral=50%" "-N portstat-no-ns-$$" "--all-netns -N x"; do
	# shellcheck disable=SC2086 # deliberately split
	"$PORTSTAT" doctor $args >"$PS_TMPDIR/u.out" 2>/dev/null; rc=$?
	[ "$rc" = 3 ] || ps_fail "doctor $args: exit $rc, want 3"
	$PERF 3 <"$PS_TMPDIR/u.out" >/dev/null || ps_fail "doctor $args: $(cat "$PS_TMPDIR/u.out")"
	[ "$(wc -l <"$PS_TMPDIR/u.out")" = 1 ] || ps_fail "doctor $args: more than the status line"
done
echo "ok: usage and runtime errors are UNKNOWN, exit 3"

if [ -n "${DOCTOR_SHOW:-}" ]; then
	for f in healthy accept ephemeral serverclose closewait closewait-owners twbuckets synrecv orphans; do
		echo "== $f"
		cat "$PS_TMPDIR/$f.txt"
	done
fi
