#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A real Prometheus scrapes portstat serve every second, both inside a
# private namespace: its HTTP API gives the population's exact per-port
# values, zero-valued states of exported rows, one series per row across a
# restart of portstat, the per-port CLOSE_WAIT alert of contrib (a test
# copy with short holds) firing for a growing leak, every PromQL
# expression of the Grafana dashboard evaluating without error, and (with
# --all-netns, where a cgroup2 tree can be written) one series for a
# container's namespace across a restart of its holder in the same cgroup.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/leaks_lib.sh"
ps_require_root
for p in prometheus curl jq; do
	command -v "$p" >/dev/null || ps_fail "$p not installed (package prometheus, curl, jq)"
done
contrib=$(cd "$(dirname "$0")/../../contrib" && pwd)

ps_netns_new ns
lk_set_trap
ps_popgen_start "$ns" --established 4 --close-wait 3 --port-base 27000
ps_tmpdir
sport=19102 pport=19190
api="http://127.0.0.1:$pport/api/v1"

serve_pid=""
start_serve() {
	ip netns exec "$ns" "$PORTSTAT" serve --listen "127.0.0.1:$sport" --min-interval 0.5 "$@" \
		2>>"$PS_TMPDIR/serve.err" &
	serve_pid=$!
	LK_PIDS+=("$serve_pid")
}
start_serve

# The contrib rules with holds of seconds instead of minutes.
sed -E 's/^( +for:) .*/\1 2s/' "$contrib/portstat-alerts.yml" > "$PS_TMPDIR/rules.yml"
cat > "$PS_TMPDIR/prometheus.yml" <<CONF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files: [ "$PS_TMPDIR/rules.yml" ]
scrape_configs:
  - job_name: portstat
    static_configs:
      - targets: [ "127.0.0.1:$sport" ]
CONF
ip netns exec "$ns" prometheus --config.file="$PS_TMPDIR/prometheus.yml" \
	--storage.tsdb.path="$PS_TMPDIR/tsdb" --web.listen-address="127.0.0.1:$pport" \
	> "$PS_TMPDIR/prometheus.log" 2>&1 &
prom_pid=$!
LK_PIDS+=("$prom_pid")

# query PROMQL [TIME]: the API's JSON answer.
query() {
	ip netns exec "$ns" curl -sG --max-time 5 --data-urlencode "query=$1" \
		${2:+--data-urlencode "time=$2"} "$api/query"
}
# value PROMQL: the single result's value, or "" when there is none.
value() { query "$1" | jq -r 'if .data.result | length == 1 then .data.result[0].value[1] else "" end'; }
# wait_value PROMQL WANT: poll (bounded, 30 s) until the query gives WANT.
wait_value() {
	local i got=""
	for ((i = 0; i < 150; i++)); do
		got=$(value "$1" 2>/dev/null)
		[ "$got" = "$2" ] && return 0
		kill -0 "$prom_pid" 2>/dev/null || ps_fail "prometheus died: $(tail -5 "$PS_TMPDIR/prometheus.log")"
		sleep 0.2
	done
	ps_fail "$1 is '$got', not $2; serve: $(cat "$PS_TMPDIR/serve.err"); prometheus: $(tail -3 "$PS_TMPDIR/prometheus.log")"
}

est='portstat_tcp_port_sockets{port="27001",direction="in",state="established"}'
wait_value 'up{job="portstat"}' 1
wait_value "$est" 4
wait_value 'portstat_tcp_port_sockets{port="27001",direction="out",state="established"}' 4
wait_value 'portstat_tcp_port_sockets{port="27002",direction="in",state="close_wait"}' 3
# Zero-valued states of exported rows are series too.
wait_value 'portstat_tcp_port_sockets{port="27002",direction="in",state="established"}' 0
wait_value 'count(portstat_tcp_port_sockets{port="27001",direction="in"})' 11
wait_value 'portstat_build_info{job="portstat"}' 1

# A growing leak: rounds of 8 connections whose peers hang up, on a server
# that never closes them; the per-port alert fires.
lk_server "$ns" 27500 leak leakysrv
lk_client "$ns"
for round in 1 2 3 4 5 6; do
	lk_do open 27500 8 >/dev/null
	lk_do fin >/dev/null
	lk_wait_ss "$ns" $((round * 8)) state close-wait '( sport = :27500 )'
	sleep 1	# growth over time is what the rule looks for
done
firing=""
for ((i = 0; i < 100; i++)); do
	firing=$(ip netns exec "$ns" curl -s --max-time 5 "$api/alerts" |
		jq -r '.data.alerts[] | select(.labels.alertname == "PortstatPortCloseWaitGrowing" and .state == "firing") | .labels.port')
	[ "$firing" = 27500 ] && break
	sleep 0.2
done
[ "$firing" = 27500 ] || ps_fail "PortstatPortCloseWaitGrowing not firing for 27500: $(ip netns exec "$ns" curl -s "$api/alerts")"

# Restart portstat: the same series continue.
before=$(query "$est" | jq -r '.data.result[0].value[0]')
samples=$(value 'portstat_samples_total')
kill -TERM "$serve_pid"
wait "$serve_pid" || ps_fail "serve exited $? on SIGTERM"
start_serve
for ((i = 0; i < 150; i++)); do
	now=$(value 'portstat_samples_total')
	[ -n "$now" ] && [ "${now%%.*}" -lt "${samples%%.*}" ] && break
	sleep 0.2
done
[ "${now%%.*}" -lt "${samples%%.*}" ] || ps_fail "no scrape of the restarted exporter (samples $samples -> $now)"
wait_value "$est" 4
same=$(jq -n --argjson a "$(query "$est" "$before" | jq -c '.data.result[0].metric')" \
	--argjson b "$(query "$est" | jq -c '.data.result[0].metric')" '$a == $b')
[ "$same" = true ] || ps_fail "the series changed across the restart"
wait_value "count(count_over_time(${est}[5m]))" 1

# Every expression of the dashboard runs, its variables given values.
n=0
while IFS= read -r expr; do
	expr=${expr//\$instance/.*}
	expr=${expr//\$port/.*}
	expr=${expr//\$__rate_interval/1m}
	status=$(query "$expr" | jq -r '.status')
	[ "$status" = success ] || ps_fail "dashboard expression fails: $expr: $(query "$expr")"
	n=$((n + 1))
done < <(jq -r '.panels[].targets[].expr, (.templating.list[] | select(.type == "query") | .definition | sub("^label_values\\((?<m>.*), [a-z]+\\)$"; "\(.m)"))' "$contrib/grafana/portstat.json")
[ "$n" -ge 10 ] || ps_fail "only $n dashboard expressions found"
[ -s "$PS_TMPDIR/serve.err" ] && ps_fail "serve said: $(cat "$PS_TMPDIR/serve.err")"

# A container's namespace across a restart of its holder: a new process
# and a new namespace in the same container cgroup continue the series.
cg=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
id=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
cgdir="$cg/pstest-$$.slice/docker-$id.scope"
if [ -z "$cg" ] || ! mkdir -p "$cgdir" 2>/dev/null; then
	echo "it_prometheus: 1 passed, 0 failed ($n dashboard expressions; no cgroup2: container restart not run)"
	exit 0
fi
holder=""
trap 'kill -KILL $holder 2>/dev/null; wait $holder 2>/dev/null; rmdir "$cgdir" "${cgdir%/*}" 2>/dev/null; lk_cleanup' EXIT
# hold N: a holder with N listeners in new network and UTS namespaces,
# moved into the container's cgroup.
hold() {
	unshare --net --uts sh -c 'ip link set lo up && hostname web-0 && exec "$0" -c "$1"' python3 \
		"import socket, time
ls = [socket.socket() for _ in range($1)]
for s in ls:
    s.bind(('127.0.0.1', 0)); s.listen()
time.sleep(120)" &
	holder=$!
	echo "$holder" > "$cgdir/cgroup.procs" || ps_fail "cannot move $holder into $cgdir"
}
kill -TERM "$serve_pid"
wait "$serve_pid" || ps_fail "serve exited $? on SIGTERM"
start_serve --all-netns
listen="portstat_tcp_sockets{netns=\"container:${id:0:12}\",state=\"listen\"}"
hold 1
wait_value "$listen" 1
kill -KILL "$holder"
wait "$holder" 2>/dev/null
hold 2
wait_value "$listen" 2
wait_value "count(count_over_time(${listen}[5m]))" 1
wait_value "count(${listen%\}},container=\"${id:0:12}\"})" 1
echo "it_prometheus: 1 passed, 0 failed ($n dashboard expressions, container restart)"
