#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The real consumer: node_exporter (textfile collector only) runs on a
# loopback port inside a private namespace; portstat --write puts its
# metrics where the collector reads them, and they come back from
# node_exporter's /metrics with the population's exact values.  A second
# --write replaces them; node_exporter reports no textfile scrape error.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
ps_require_root
exporter=$(command -v prometheus-node-exporter || command -v node_exporter) ||
	ps_fail "node_exporter (package prometheus-node-exporter) not installed"
command -v curl >/dev/null || ps_fail "curl not installed"

ps_netns_new ns
ps_popgen_start "$ns" --established 9 --close-wait 3 --port-base 25000
ps_tmpdir
dir=$PS_TMPDIR/textfile
mkdir "$dir"
port=19100
ip netns exec "$ns" "$exporter" --collector.disable-defaults --collector.textfile \
	--collector.textfile.directory="$dir" --web.listen-address="127.0.0.1:$port" \
	> "$PS_TMPDIR/exporter.log" 2>&1 &
exporter_pid=$!
PS_POPGEN_PIDS+=("$exporter_pid")	# lib.sh's cleanup stops it by pid

scrape() { ip netns exec "$ns" curl -sf "http://127.0.0.1:$port/metrics"; }
# wait_for PATTERN: poll the exporter (bounded) until a line matches.
wait_for() {
	local i
	for ((i = 0; i < 100; i++)); do
		scrape 2>/dev/null | grep -x -- "$1" >/dev/null && return 0
		kill -0 "$exporter_pid" 2>/dev/null || ps_fail "node_exporter died: $(cat "$PS_TMPDIR/exporter.log")"
		sleep 0.1
	done
	ps_fail "node_exporter never served '$1'; it served: $(scrape | grep portstat | head -20)"
}

"$PORTSTAT" -N "$ns" -f prometheus --write "$dir/portstat.prom" || ps_fail "portstat --write failed"
# node_exporter sorts labels by name when it re-exposes them.
wait_for 'portstat_tcp_sockets{state="close_wait"} 3'
wait_for 'portstat_tcp_sockets{state="established"} 18'
wait_for 'portstat_tcp_port_sockets{direction="in",port="25002",state="close_wait"} 3'
wait_for 'portstat_tcp_port_sockets{direction="out",port="25001",state="established"} 9'
wait_for 'portstat_sample_complete 1'
wait_for 'node_textfile_scrape_error 0'

# A narrower sample replaces the file whole: the old series are gone.
"$PORTSTAT" -N "$ns" -f prometheus -s close-wait --write "$dir/portstat.prom" || ps_fail "second --write failed"
wait_for 'portstat_tcp_sockets{state="established"} 0'
wait_for 'portstat_tcp_sockets{state="close_wait"} 3'
scrape | grep 'portstat_tcp_port_sockets{direction="out",port="25001"' >/dev/null &&
	ps_fail "series of the first sample survived the replacement"
[ "$(ls "$dir")" = portstat.prom ] || ps_fail "temporary files left: $(ls "$dir")"
echo "it_node_exporter: 1 passed, 0 failed"
