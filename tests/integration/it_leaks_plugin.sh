#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# portstat leaks as a monitoring plugin (issue 12): over a live CLOSE_WAIT
# leak, the first stdout line is "STATUS: summary | perfdata" as the
# Monitoring Plugins Development Guidelines define it (checked by
# perfdata.py, which implements their grammar), with the exit status its
# word says, the counts and thresholds in the perfdata; a hostile process
# name cannot forge perfdata; errors are "UNKNOWN: reason" on stdout with
# exit 3; the golden replays' status lines parse too; and -f prometheus
# passes promtool with the same counts.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/leaks_lib.sh"
ps_require_root
command -v promtool >/dev/null || ps_fail "promtool (package prometheus) not installed"
command -v jq >/dev/null || ps_fail "jq not installed"
here=$(cd "$(dirname "$0")" && pwd)
PERF="$LK_PY $here/perfdata.py"

LEAKS=9
# A comm with every character the status line and perfdata treat
# specially: '|' (perfdata starts), '=' and "'" (label syntax), a space.
EVIL="a|b='c d"
ps_netns_new ns
lk_set_trap
lk_server "$ns" 8081 leak "$EVIL"
leaky=$LK_SRV_PID
lk_client "$ns"
[ "$(lk_do open 8081 $LEAKS 10)" = "opened $LEAKS" ] || ps_fail "client open 8081"
[ "$(lk_do fin)" = "fin $LEAKS" ] || ps_fail "client fin"
lk_wait_ss "$ns" $LEAKS state close-wait '( sport = :8081 )'

# check STATUS ARGS...: leaks exits STATUS and its output parses; prints
# perfdata.py's JSON.
check() {
	local want=$1 rc
	shift
	"$PORTSTAT" leaks -N "$ns" "$@" >"$PS_TMPDIR/p.out" 2>"$PS_TMPDIR/p.err"; rc=$?
	[ "$rc" = "$want" ] || ps_fail "leaks $*: exit $rc, want $want: $(cat "$PS_TMPDIR/p.out" "$PS_TMPDIR/p.err")"
	$PERF "$rc" <"$PS_TMPDIR/p.out" || ps_fail "leaks $*: not plugin output: $(head -1 "$PS_TMPDIR/p.out")"
}

j=$(check 1 --warn 5 --crit 100 --warn-age 1h)
[ "$(jq -r '[.metrics.close_wait | .value, .uom, .warn, .crit, .min] | @tsv' <<<"$j")" = "$LEAKS		5	100	0" ] ||
	ps_fail "close_wait perfdata: $j"
[ "$(jq -r '[.metrics.oldest_close_wait | .uom, .warn, .crit, .min] | @tsv' <<<"$j")" = "s	3600		0" ] ||
	ps_fail "oldest_close_wait perfdata: $j"
# Live sockets come with tcp_info: the age is a number of seconds.
[[ $(jq -r .metrics.oldest_close_wait.value <<<"$j") =~ ^[0-9]+$ ]] || ps_fail "age not known: $j"
[ "$(jq -r '.metrics | keys | join(",")' <<<"$j")" = "close_wait,oldest_close_wait" ] || ps_fail "metrics: $j"
# The name is in the summary, its '|' escaped: one ' | ' on the line.
[[ $(jq -r .summary <<<"$j") == "$LEAKS CLOSE_WAIT on :8081 held by a\\x7cb='c d[$leaky], oldest "* ]] ||
	ps_fail "summary: $(jq -r .summary <<<"$j")"
echo "ok: WARNING with perfdata, hostile comm escaped"

j=$(check 0)
[ "$(jq -r '[.status, .metrics.close_wait.value, .metrics.close_wait.warn] | @tsv' <<<"$j")" = "OK	$LEAKS	" ] ||
	ps_fail "OK: $j"
j=$(check 2 --crit $((LEAKS - 1)) -s close-wait,fin-wait-2)
[ "$(jq -r '.metrics | keys | join(",")' <<<"$j")" = "close_wait,fin_wait2,oldest_close_wait,oldest_fin_wait2" ] ||
	ps_fail "states: $j"
[ "$(jq -r '[.metrics.fin_wait2.value, .metrics.close_wait.crit] | @tsv' <<<"$j")" = "$LEAKS	$((LEAKS - 1))" ] ||
	ps_fail "fin_wait2 perfdata: $j"
# No sockets at all: OK, counts 0 and an age of 0 s (nothing is stuck).
j=$(check 0 -p 9)
[ "$(jq -r '[.summary, .metrics.close_wait.value, .metrics.oldest_close_wait.value] | @tsv' <<<"$j")" = \
  "no CLOSE_WAIT sockets	0	0" ] || ps_fail "empty: $j"
echo "ok: OK, CRITICAL, two states, nothing stuck"

# Owner rows and all namespaces: the same status line, the same grammar.
j=$(check 1 --by process --warn 5)
[ "$(jq -r '[.metrics.close_wait.value, .metrics.close_wait.warn] | @tsv' <<<"$j")" = "$LEAKS	5" ] ||
	ps_fail "--by process perfdata: $j"
"$PORTSTAT" leaks --all-netns -p 8081 --warn 5 >"$PS_TMPDIR/a.out" 2>/dev/null; rc=$?
[ "$rc" -ge 1 ] || ps_fail "--all-netns: exit $rc"
j=$($PERF "$rc" <"$PS_TMPDIR/a.out") || ps_fail "--all-netns: not plugin output: $(head -1 "$PS_TMPDIR/a.out")"
# Ours at least: another namespace of this host may leak on 8081 too.
[ "$(jq -r '.metrics.close_wait.value' <<<"$j")" -ge "$LEAKS" ] || ps_fail "--all-netns perfdata: $j"
echo "ok: --by process and --all-netns status lines parse"

# UNKNOWN: a namespace that is not there, a usage error, a replay that
# is not there: "UNKNOWN: reason" first, exit 3, whatever the format.
for args in "-N portstat-no-ns-$$" "--warn 5x" "-f json --replay $PS_TMPDIR/none.rec" "--crit 1 --bogus"; do
	# shellcheck disable=SC2086 # deliberately split
	"$PORTSTAT" leaks $args >"$PS_TMPDIR/u.out" 2>/dev/null; rc=$?
	[ "$rc" = 3 ] || ps_fail "leaks $args: exit $rc, want 3"
	$PERF 3 <"$PS_TMPDIR/u.out" >/dev/null || ps_fail "leaks $args: $(cat "$PS_TMPDIR/u.out")"
	[ "$(wc -l < "$PS_TMPDIR/u.out")" = 1 ] || ps_fail "leaks $args: more than the status line"
done
echo "ok: UNKNOWN on stdout for runtime and usage errors"

# Every golden replay of leaks' text format: its status lines parse.
n=0
for f in "$here"/../golden/leaks*.out "$here"/../golden/closed_listener_leaks*.out; do
	rc=$(tail -1 "$f" | sed -n 's/^exit //p')
	first=$(head -1 "$f")
	case "$first" in OK:*|WARNING:*|CRITICAL:*|UNKNOWN:*) ;; *) continue ;; esac
	# each sample's status line (the first, and those after a blank line)
	# is a status line; the last decides the exit status
	awk 'NR == 1 || prev == "" { print } { prev = $0 }' "$f" | grep -v '^exit ' >"$PS_TMPDIR/g.lines"
	while IFS= read -r line; do
		w=${line%%:*}
		case "$w" in OK) s=0 ;; WARNING) s=1 ;; CRITICAL) s=2 ;; UNKNOWN) s=3 ;; *) ps_fail "$f: '$line'" ;; esac
		$PERF "$s" <<<"$line" >/dev/null || ps_fail "$f: $line"
	done <"$PS_TMPDIR/g.lines"
	$PERF "$rc" < <(tail -n 1 "$PS_TMPDIR/g.lines") >/dev/null || ps_fail "$f: exit $rc and its last status line"
	n=$((n + 1))
done
[ "$n" -ge 5 ] || ps_fail "only $n golden leaks text outputs"
echo "ok: $n golden text outputs parse"

# Prometheus: promtool-clean, the same count, the owner series.
prom=$("$PORTSTAT" leaks -N "$ns" -f prometheus --warn 5); rc=$?
[ "$rc" = 1 ] || ps_fail "prometheus: exit $rc, want 1"
promtool check metrics <<<"$prom" || ps_fail "promtool rejects: $prom"
grep -qxF "portstat_leak_sockets{port=\"8081\",direction=\"in\",state=\"close_wait\"} $LEAKS" <<<"$prom" ||
	ps_fail "prometheus count: $prom"
grep -qxF "portstat_leak_process_sockets{port=\"8081\",direction=\"in\",state=\"close_wait\",pid=\"$leaky\",comm=\"a|b='c d\"} $LEAKS" <<<"$prom" ||
	ps_fail "prometheus owner: $prom"
grep -qE '^portstat_leak_oldest_seconds\{port="8081",direction="in",state="close_wait"\} [0-9]+$' <<<"$prom" ||
	ps_fail "prometheus age: $prom"
grep -qxF "portstat_leak_status 1" <<<"$prom" || ps_fail "prometheus status: $prom"
echo "ok: prometheus"

# Ages never lie: a recording of the report (no tcp_info) replayed by
# leaks knows no age, in every sample, with or without -c: "-", null, an
# empty CSV field, U in perfdata, no Prometheus series, and age
# thresholds UNKNOWN.
"$PORTSTAT" -N "$ns" --record "$PS_TMPDIR/report.rec" -i 0.2 -c 3 >/dev/null || ps_fail "report --record"
rec=(--replay "$PS_TMPDIR/report.rec")
[ "$("$PORTSTAT" leaks "${rec[@]}" -f json | jq -s -c '[.[] | .groups[0] | [.count, .oldest_s]]')" = \
  "[[$LEAKS,null],[$LEAKS,null],[$LEAKS,null]]" ] || ps_fail "replay ages: $("$PORTSTAT" leaks "${rec[@]}" -f json)"
[ "$("$PORTSTAT" leaks "${rec[@]}" -f csv -H | cut -d, -f3,6,8 | sort -u)" = "8081,$LEAKS," ] ||
	ps_fail "replay csv: $("$PORTSTAT" leaks "${rec[@]}" -f csv)"
[ "$("$PORTSTAT" leaks "${rec[@]}" -H | awk '$1 == 8081 { print $6 }' | sort -u)" = "-" ] ||
	ps_fail "replay text: $("$PORTSTAT" leaks "${rec[@]}")"
"$PORTSTAT" leaks "${rec[@]}" -f prometheus | grep '^portstat_leak_oldest_seconds{' >/dev/null &&
	ps_fail "replay prometheus has an age"
for c in "" "-c 1" "-c 3"; do
	# shellcheck disable=SC2086
	"$PORTSTAT" leaks "${rec[@]}" $c --warn-age 1m >"$PS_TMPDIR/a.out"; rc=$?
	[ "$rc" = 3 ] || ps_fail "replay $c --warn-age: exit $rc, want 3: $(cat "$PS_TMPDIR/a.out")"
	j=$($PERF 3 <"$PS_TMPDIR/a.out") || ps_fail "replay $c: $(head -1 "$PS_TMPDIR/a.out")"
	[ "$(jq -r '[.metrics.oldest_close_wait.value, .metrics.oldest_close_wait.warn] | @tsv' <<<"$j")" = "U	60" ] ||
		ps_fail "replay $c perfdata: $j"
	[[ $(jq -r .summary <<<"$j") == *", age unknown" ]] || ps_fail "replay $c summary: $j"
done
echo "ok: a report's recording replays with no age, UNKNOWN for age thresholds"

# The golden Prometheus outputs of leaks (one sample each) pass promtool.
for f in "$here"/../golden/leaks_sample_prom.out "$here"/../golden/leaks_prom_top.out; do
	sed '$d' "$f" | promtool check metrics || ps_fail "promtool rejects $f"
done
echo "ok: golden prometheus outputs pass promtool"
