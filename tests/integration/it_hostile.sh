#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# it_hostile: portstat on a host where an attacker named things (issue 11).
# The user nobody holds a network namespace (runuser -u nobody -- unshare
# -rn) under a hostile process name, with processes under hostile names
# holding CLOSE_WAIT sockets on 127.0.0.1 and ::1: invalid UTF-8 of every
# kind (a stray 0xff, an overlong 0xc0 0xaf, truncated 0xe2 0x82 sequences,
# a UTF-8 surrogate 0xed 0xa0 0x80), a C1 CSI (0xc2 0x9b), DEL, ESC/CSI and
# OSC sequences, CR, LF, TAB, a double quote, a comma, a backslash and a
# leading '='.  One of them sits in a cgroup whose name is as hostile (all
# of the above but LF, which cgroup2 refuses), and root made a namespace
# under /run/netns with a hostile name holding one more.  Then every format
# of the report, --by process, --by cgroup, --all-netns and leaks must stay
# valid for a strict consumer: JSON for Python's strict UTF-8 decoder and
# strict parser, Prometheus for promtool and a real node_exporter textfile
# collector (node_textfile_scrape_error 0, the series there), CSV for the
# csv module (every row as wide as the header, each name one whole field),
# text free of C0/C1 controls and DEL with no name spanning lines.  The
# planted sockets are counted exactly everywhere.  Every check runs and
# every failure is listed before the test fails.  Each name carries an
# ASCII tag at both ends ("<A" ... "A>") so a name can be found in any
# encoding and a name split over lines is seen.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root" >&2; exit 77; fi
command -v runuser >/dev/null || { echo "SKIP: no runuser" >&2; exit 77; }
id nobody >/dev/null 2>&1 || { echo "SKIP: no user nobody" >&2; exit 77; }
ps_require_root
runuser -u nobody -- unshare -rn true 2>/dev/null ||
	{ echo "SKIP: nobody cannot 'unshare -rn' (user namespaces disabled)" >&2; exit 77; }
command -v promtool >/dev/null || ps_fail "promtool (package prometheus) not installed"
exporter=$(command -v prometheus-node-exporter || command -v node_exporter) ||
	ps_fail "node_exporter (package prometheus-node-exporter) not installed"
command -v curl >/dev/null || ps_fail "curl not installed"
PY=/usr/bin/python3
[ -x "$PY" ] || ps_fail "python3 not installed"

# ---- names ------------------------------------------------------------------
# comm is at most 15 bytes: the hostile bytes are spread over processes.
N_H=$'<H\xff\xc0\xaf\e[31m\xe2\x82H>'      # nobody's namespace holder: stray, overlong, CSI, truncated at the end
N_A=$'<A\xed\xa0\x80\xc2\x9b\x7f\xe2\x82A>' # surrogate, C1 CSI, DEL, truncated mid-name
N_B=$'<B\e]0;x\a\r\nB>'                     # OSC title, BEL, CR, LF
N_C=$'=C"q,b\\\t;C>'                        # leading '=', quote, comma, backslash, TAB
N_D=$'<D\xff\n\e[2JD>'                      # in the hostile cgroup: LF, clear-screen
N_R=$'<R\xc0\xaf\r\e[1AR>'                  # in root's hostile namespace: CR, cursor up
N_S=$'<S\e[0m\xc2\x85S>'                    # its holder: SGR, C1 NEL
NS_NAME=$'pstest-'$$$'-<N\xff\e[31m\r\n"q,\\=\xc2\x9b\xe2\x82\xed\xa0\x80\x7f\tN>'
CG_NAME=$'pstest-'$$$'-<G\xff\xc0\xaf\e[31m\r"q,\\=\xc2\x9b\xed\xa0\x80\x7f\tG>'
PA=31001 PB=31002 PC=31003 PD=31004 PR=31011
NA=3 NB=2 NC=4 ND=1 NR=3
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }

# ---- cleanup (also on failure) ----------------------------------------------
HS_FDS=() HS_PIDS=() HS_BG=()
CG_DIR="" NS_MADE="" NS_MOUNTED=""
hs_cleanup() {
	local fd p i
	# HS_KEEP=DIR keeps the outputs for a look after the run.
	[ -n "${HS_KEEP:-}" ] && [ -n "${D:-}" ] && cp -r "$D/." "$HS_KEEP/" 2>/dev/null
	for fd in "${HS_FDS[@]}"; do exec {fd}>&-; done	# EOF: the holders exit
	HS_FDS=()
	for p in "${HS_PIDS[@]}" "${HS_BG[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${HS_BG[@]}"; do wait "$p" 2>/dev/null; done
	# The holders' children are not ours to wait for: poll them (5 s).
	for p in "${HS_PIDS[@]}"; do
		for ((i = 0; i < 100; i++)); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.05
		done
		kill -KILL "$p" 2>/dev/null
	done
	HS_PIDS=() HS_BG=()
	if [ -n "$CG_DIR" ] && [ -d "$CG_DIR" ]; then
		# The cgroup can go once its process is gone (bounded).
		for ((i = 0; i < 100; i++)); do
			rmdir "$CG_DIR" 2>/dev/null && break
			sleep 0.05
		done
		[ -d "$CG_DIR" ] && echo "# cannot remove cgroup $(printf %q "$CG_DIR")" >&2
	fi
	CG_DIR=""
	if [ -n "$NS_MOUNTED" ]; then
		umount "$NS_MOUNTED" 2>/dev/null
		rm -f "$NS_MOUNTED"
		NS_MOUNTED=""
	fi
	if [ -n "$NS_MADE" ]; then
		ip netns del "$NS_MADE" 2>/dev/null
		NS_MADE=""
	fi
	ps_cleanup
}
ps_set_trap
trap 'hs_cleanup' EXIT
trap 'hs_cleanup; trap - EXIT; exit 130' INT
trap 'hs_cleanup; trap - EXIT; exit 143' TERM

ps_tmpdir
D=$PS_TMPDIR
ps_reachable_copy "$(dirname "$0")/hostile.py" helper

# hs_hold TAG RUNNER...: start 'hostile.py hold' through RUNNER (which ends
# in the python interpreter), its stdin on a fifo we hold; wait (bounded)
# for its ready line; HS_READY=(holder child...) pids.  A child that asks
# to be moved ("move PID") goes into the cgroup $HS_MOVE_TO before it makes
# its sockets.
hs_hold() {
	local tag=$1 fifo fd i line moved=""
	shift
	fifo="$D/$tag.in"
	mkfifo "$fifo" || ps_fail "mkfifo"
	exec {fd}<>"$fifo"
	# The child holds no writer of any fifo, or its holder never sees EOF.
	(
		for f in "${HS_FDS[@]}" "$fd"; do exec {f}>&-; done
		exec "$@" <"$fifo" >"$D/$tag.out" 2>"$D/$tag.err"
	) &
	HS_BG+=("$!")
	HS_FDS+=("$fd")
	for ((i = 0; i < 200; i++)); do
		line=$(grep -m1 '^move ' "$D/$tag.out")
		if [ -n "$line" ] && [ -z "$moved" ]; then
			moved=${line#move }
			echo "$moved" >"$HS_MOVE_TO/cgroup.procs" ||
				ps_fail "cannot move $moved into the hostile cgroup"
			grep -qF "0::/${HS_MOVE_TO#"$cg2"/}" "/proc/$moved/cgroup" ||
				ps_fail "process $moved not in the hostile cgroup"
			echo go >&"$fd"
		fi
		line=$(grep -m1 '^ready ' "$D/$tag.out")
		if [ -n "$line" ]; then
			read -r -a HS_READY <<<"${line#ready }"
			HS_PIDS+=("${HS_READY[@]}")
			return 0
		fi
		kill -0 "$!" 2>/dev/null || break
		sleep 0.05
	done
	ps_fail "$tag holder not ready: $(cat "$D/$tag.err")"
}

# ---- the hostile cgroup -----------------------------------------------------
cg2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
[ -n "$cg2" ] || ps_fail "no cgroup2 file system mounted"
CG_DIR="$cg2/$CG_NAME"
mkdir "$CG_DIR" || ps_fail "cannot make the hostile cgroup"
HS_MOVE_TO=$CG_DIR

# ---- nobody's namespace -----------------------------------------------------
hs_hold nobody runuser -u nobody -- unshare -rn sh -c 'ip link set lo up && exec "$0" "$@"' \
	"$PY" "$helper" hold "$(hex "$N_H")" \
	"$(hex "$N_A"):$PA:$NA" "$(hex "$N_B"):$PB:$NB" "$(hex "$N_C"):$PC:$NC" "$(hex "$N_D"):$PD:$ND:move"
H=${HS_READY[0]} A=${HS_READY[1]} B=${HS_READY[2]} C=${HS_READY[3]} DP=${HS_READY[4]}
NSP=/proc/$H/ns/net
[ "$(stat -c %U "/proc/$A")" = nobody ] || ps_fail "the holders do not run as nobody"
CW_NOBODY=$((2 * (NA + NB + NC + ND)))

grep -qF "0::/$CG_NAME" "/proc/$DP/cgroup" || ps_fail "process $DP not in the hostile cgroup"

# ---- root's hostile-named namespace -----------------------------------------
if ip netns add "$NS_NAME" 2>"$D/nsadd.err"; then
	NS_MADE=$NS_NAME
else
	# ip refused the name: bind-mount a namespace there ourselves.
	ps_log "ip netns add refused the name ($(cat "$D/nsadd.err")); bind-mounting"
	mkdir -p /run/netns
	: >"/run/netns/$NS_NAME" || ps_fail "cannot create /run/netns/<hostile>"
	NS_MOUNTED="/run/netns/$NS_NAME"
	unshare --net="/run/netns/$NS_NAME" true || ps_fail "cannot bind-mount a namespace"
fi
nsenter --net="/run/netns/$NS_NAME" ip link set lo up || ps_fail "lo up in the hostile namespace"
hs_hold root nsenter --net="/run/netns/$NS_NAME" runuser -u nobody -- \
	"$PY" "$helper" hold "$(hex "$N_S")" "$(hex "$N_R"):$PR:$NR"
S=${HS_READY[0]} R=${HS_READY[1]}
CW_ROOT=$((2 * NR))

# The kernel's view, for the exact counts below.
cw_ss() { nsenter --net="$1" ss -Htan state close-wait | wc -l; }
[ "$(cw_ss "$NSP")" = $CW_NOBODY ] || ps_fail "ss: $(cw_ss "$NSP") CLOSE_WAIT in nobody's namespace, want $CW_NOBODY"
[ "$(cw_ss "/run/netns/$NS_NAME")" = $CW_ROOT ] || ps_fail "ss: CLOSE_WAIT in the hostile namespace"
ps_log "nobody's namespace: holder $H, A $A, B $B, C $C, D $DP (cgroup); root's: holder $S, R $R"

# ---- node_exporter, the real Prometheus consumer -----------------------------
ps_netns_new ens
mkdir "$D/textfile"
port=19101
ip netns exec "$ens" "$exporter" --collector.disable-defaults --collector.textfile \
	--collector.textfile.directory="$D/textfile" --web.listen-address="127.0.0.1:$port" \
	>"$D/exporter.log" 2>&1 &
HS_BG+=("$!")
scrape() { ip netns exec "$ens" curl -sf "http://127.0.0.1:$port/metrics"; }
for ((i = 0; i < 100; i++)); do scrape >/dev/null 2>&1 && break; sleep 0.1; done
scrape >/dev/null || ps_fail "node_exporter not serving: $(cat "$D/exporter.log")"

# ---- the checks -------------------------------------------------------------
FAILS=()
bad() { FAILS+=("$*"); echo "not ok - $*" >&2; }
ok() { echo "ok - $*"; }
tags() {	# the start/end tags of the names given, as JSON
	local t out=""
	for t in "$@"; do out+="${out:+,}[\"$t\",\"${t:1}>\"]"; done
	printf '[%s]' "$out"
}
expect() {	# EXPECT_JSON for hostile.py: names (hex) and their text tags
	local names="" n t
	local -a tg=()
	for n in "$@"; do
		names+="${names:+,}\"$(hex "$n")\""
		case $n in
		=C*) tg+=("=C") ;;
		*"<"*) t=${n#*<}; tg+=("<${t:0:1}") ;;
		esac
	done
	printf '{"names":[%s],"text_tags":%s}' "$names" "$(tags "${tg[@]}")"
}
# The end tag of "=C" is "C>", of "<A" is "A>": tags() builds both.

# run NAME ARGS...: portstat ARGS; stdout in $D/NAME, status must be 0.
run() {
	local name=$1 rc
	shift
	"$PORTSTAT" "$@" >"$D/$name" 2>"$D/$name.err"
	rc=$?
	[ "$rc" = 0 ] || bad "$name: portstat $(printf '%q ' "$@")exit $rc: $(head -c 300 "$D/$name.err" | od -c | head -3)"
}
# validate NAME FORMAT NAMES...: a strict consumer of that format.
validate() {
	local name=$1 fmt=$2 out
	shift 2
	case $fmt in
	json | csv | text)
		out=$("$PY" "$helper" check "$fmt" "$D/$name" "$(expect "$@")") ||
			{ bad "$name: $fmt invalid: $(head -5 <<<"$out")"; return; }
		;;
	prometheus)
		out=$(promtool check metrics <"$D/$name" 2>&1) ||
			{ bad "$name: promtool rejects it: $(head -3 <<<"$out")"; return; }
		;;
	esac
	ok "$name: valid $fmt"
}
# lenient NAME: the JSON output decoded leniently (invalid UTF-8 replaced,
# raw controls allowed), so counts are checked even where validity fails.
lenient() {
	"$PY" -c 'import json,sys; print(json.dumps(json.loads(open(sys.argv[1],"rb").read().decode("utf-8","replace"), strict=False)))' "$D/$1"
}
# count NAME JQ WANT: a number from the JSON output, exactly.
count() {
	local got
	got=$(lenient "$1" | jq -r "$2" 2>&1)
	if [ "$got" = "$3" ]; then ok "$1: $2 = $3"; else bad "$1: $2 is '$got', want $3"; fi
}
# exported NAME REGEX: node_exporter reads the file without error and
# serves a series matching REGEX.  Each scrape reads the directory anew.
exported() {
	local name=$1 re=$2 s
	cp "$D/$name" "$D/textfile/.portstat.tmp" && mv "$D/textfile/.portstat.tmp" "$D/textfile/portstat.prom"
	s=$(scrape) || { bad "$name: node_exporter scrape failed"; return; }
	grep -qx 'node_textfile_scrape_error 0' <<<"$s" ||
		{ bad "$name: node_exporter: $(grep '^node_textfile_scrape_error' <<<"$s"): $(grep -o 'err=.*' "$D/exporter.log" | tail -1 | cut -c1-300)"; return; }
	grep -qE "$re" <<<"$s" || { bad "$name: node_exporter serves no series /$re/"; return; }
	ok "$name: node_exporter reads it, series there"
}

# With -N NAME, JSON and CSV carry the name (text shows none): validated
# with it.

# The report in each namespace (netns names in every format).
for f in text json csv prometheus; do
	run "report-nobody.$f" -N "$NSP" -f "$f"
	run "report-root.$f" -N "$NS_NAME" -f "$f"
	validate "report-nobody.$f" "$f"
	if [ "$f" = text ]; then validate "report-root.$f" "$f"; else validate "report-root.$f" "$f" "$NS_NAME"; fi
done
count report-nobody.json '.states.close_wait' $CW_NOBODY
for p in "$PA:$NA" "$PB:$NB" "$PC:$NC" "$PD:$ND"; do
	count report-nobody.json "[.ports[] | select(.port == ${p%:*} and .direction == \"in\") | .states.close_wait] | add" $((2 * ${p#*:}))
done
count report-root.json '.states.close_wait' $CW_ROOT
exported report-root.prometheus '^portstat_tcp_sockets\{.*state="close_wait".*\} '$CW_ROOT'$'

# --by process: the hostile comms.
for f in text json csv prometheus; do
	run "process.$f" -N "$NSP" --by process -f "$f"
	validate "process.$f" "$f" "$N_A" "$N_B" "$N_C" "$N_D"
	run "process-root.$f" -N "$NS_NAME" --by process -f "$f"
	if [ "$f" = text ]; then validate "process-root.$f" "$f" "$N_R"; else validate "process-root.$f" "$f" "$N_R" "$NS_NAME"; fi
done
for p in "$A:$NA" "$B:$NB" "$C:$NC" "$DP:$ND"; do
	count process.json "[.. | objects | select(.pid? == ${p%:*}) | .states.close_wait] | add" $((2 * ${p#*:}))
done
count process-root.json "[.. | objects | select(.pid? == $R) | .states.close_wait] | add" $CW_ROOT
exported process.prometheus '^portstat_tcp_process_sockets\{.*pid="'"$A"'".*state="close_wait".*\} '$((2 * NA))'$'
exported process-root.prometheus '^portstat_tcp_process_sockets\{.*pid="'"$R"'".*state="close_wait".*\} '$CW_ROOT'$'

# --by cgroup: the hostile cgroup path.
for f in text json csv prometheus; do
	run "cgroup.$f" -N "$NSP" --by cgroup -f "$f"
	validate "cgroup.$f" "$f" "$CG_NAME"
done
count cgroup.json "[.. | objects | select((.cgroup? // \"\") | tostring | contains(\"pstest-$$-<G\")) | .states.close_wait] | add" $((2 * ND))
exported cgroup.prometheus '^portstat_tcp_cgroup_sockets\{.*pstest-'$$'-<G.*state="close_wait".*\} '$((2 * ND))'$'

# --all-netns: nobody's namespace is labelled by its holder (pid:H/<comm>),
# root's by its hostile name.  Other namespaces of the host may be there too.
for f in text json csv prometheus; do
	run "allns.$f" --all-netns -f "$f"
	validate "allns.$f" "$f" "$N_H" "$NS_NAME"
done
count allns.json "[.namespaces[] | select(.netns | startswith(\"pid:$H/\")) | .states.close_wait] | add" $CW_NOBODY
count allns.json "[.namespaces[] | select(.netns | startswith(\"pstest-$$-<N\")) | .states.close_wait] | add" $CW_ROOT
count allns.json "[.namespaces[] | select(.netns | startswith(\"pid:$H/\") or startswith(\"pstest-$$-<N\"))] | length" 2
exported allns.prometheus '^portstat_tcp_sockets\{.*netns="pid:'"$H"'/.*state="close_wait".*\} '$CW_NOBODY'$'
exported allns.prometheus '^portstat_tcp_sockets\{.*netns="pstest-'$$'-<N.*state="close_wait".*\} '$CW_ROOT'$'
# --all-netns --by process, where the build has it.
if "$PORTSTAT" --all-netns --by process -f json >/dev/null 2>&1; then
	for f in text json csv prometheus; do
		run "allns-process.$f" --all-netns --by process -f "$f"
		validate "allns-process.$f" "$f" "$N_H" "$NS_NAME" "$N_A" "$N_B" "$N_C" "$N_D" "$N_R"
	done
	exported allns-process.prometheus '^portstat_tcp_process_sockets\{.*pid="'"$A"'".*state="close_wait".*\} '$((2 * NA))'$'
else
	ok "# --all-netns --by process: not in this build"
fi

# leaks: the owners' comms, the namespace's name.
for f in text json csv; do
	run "leaks.$f" leaks -N "$NSP" -f "$f"
	validate "leaks.$f" "$f" "$N_A" "$N_B" "$N_C" "$N_D"
	run "leaks-root.$f" leaks -N "$NS_NAME" -f "$f"
	if [ "$f" = text ]; then validate "leaks-root.$f" "$f" "$N_R"; else validate "leaks-root.$f" "$f" "$N_R" "$NS_NAME"; fi
done
for p in "$PA:$NA" "$PB:$NB" "$PC:$NC" "$PD:$ND"; do
	count leaks.json "[.groups[] | select(.port == ${p%:*}) | .count] | add" $((2 * ${p#*:}))
done
count leaks-root.json "[.groups[] | select(.port == $PR) | .count] | add" $CW_ROOT
# leaks --by process and leaks --all-netns, where the build has them.
if "$PORTSTAT" leaks --by process -N "$NSP" -f json >/dev/null 2>&1; then
	for f in text json csv; do
		run "leaks-process.$f" leaks --by process -N "$NSP" -f "$f"
		validate "leaks-process.$f" "$f" "$N_A" "$N_B" "$N_C" "$N_D"
	done
else
	ok "# leaks --by process: not in this build"
fi
if "$PORTSTAT" leaks --all-netns -f json >/dev/null 2>&1; then
	for f in text json csv; do
		run "leaks-allns.$f" leaks --all-netns -f "$f"
		validate "leaks-allns.$f" "$f" "$N_H" "$NS_NAME" "$N_A" "$N_R"
	done
else
	ok "# leaks --all-netns: not in this build"
fi

# Still exact after all of it: nothing of ours went away.
[ "$(cw_ss "$NSP")" = $CW_NOBODY ] || bad "the planted sockets changed during the test"

if [ ${#FAILS[@]} -gt 0 ]; then
	printf 'FAILED: %s\n' "${FAILS[@]}" >&2
	ps_fail "${#FAILS[@]} checks failed"
fi
echo "it_hostile: passed"
