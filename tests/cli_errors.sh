#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Bad input at the binary level: each bad command line gives exactly one
# error line naming the value plus a usage hint on stderr, nothing on
# stdout, and exit status 2; runtime failures (unknown namespace, missing or
# damaged replay file) give one line and exit 1 (leaks: 3, UNKNOWN).  Also: help fits a screen,
# and a closed pipe ends the report quietly.
set -uo pipefail
portstat=${PORTSTAT:?}
fixture=$(cd "$(dirname "$0")" && pwd)/fixtures/sample.rec
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { echo "FAIL: $*"; fail=$((fail + 1)); }

# unknown_line SUBSTRING: $tmp/out is exactly one line, "UNKNOWN: " and a
# reason holding SUBSTRING, with no '|' (a '|' would start perfdata).
unknown_line() {
	[ "$(wc -l < "$tmp/out")" = 1 ] && [ "$(head -c 9 "$tmp/out")" = "UNKNOWN: " ] &&
		grep -qF -- "$1" "$tmp/out" && ! grep -qF '|' "$tmp/out"
}

# expect STATUS SUBSTRING ARGS...
# (leaks, status 3: stdout holds exactly its "UNKNOWN: reason" line)
expect() {
	local want=$1 needle=$2 rc lines
	shift 2
	"$portstat" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	lines=$(wc -l < "$tmp/err")
	if [ "$rc" != "$want" ]; then
		ko "portstat $*: exit $rc, want $want ($(head -1 "$tmp/err"))"
	elif [ "$want" != 3 ] && [ -s "$tmp/out" ]; then
		ko "portstat $*: wrote to stdout: $(head -c 200 "$tmp/out")"
	elif [ "$want" = 3 ] && ! unknown_line "$needle"; then
		# leaks is a monitoring plugin: its one stdout line says why.
		ko "portstat $*: stdout is not one 'UNKNOWN: ...$needle...' line: $(head -c 300 "$tmp/out")"
	elif ! grep -qF -- "$needle" "$tmp/err"; then
		ko "portstat $*: error lacks '$needle': $(cat "$tmp/err")"
	elif [ "$want" = 2 ] && { [ "$lines" != 2 ] || ! grep -q "Try 'portstat --help'" "$tmp/err"; }; then
		ko "portstat $*: want one error line and a usage hint, got: $(cat "$tmp/err")"
	elif [ "$want" != 2 ] && [ "$lines" != 1 ] &&
	     ! { [ "$want" = 3 ] && [ "$lines" = 2 ] && grep -q "Try 'portstat" "$tmp/err"; }; then
		# (leaks' usage errors are UNKNOWN, 3, with the usage hint)
		ko "portstat $*: want one line on stderr, got: $(cat "$tmp/err")"
	else
		ok
	fi
}

expect 2 "'bogus'"        -s bogus
expect 2 "'established,x'" -s established,x
expect 2 "'65536'"        -p 0,65536
expect 2 "'CLOSEWAIT'"    -s LISTEN,CLOSEWAIT
# serve: its own options, and what it does not take.
expect 2 "'1.2.3.4'"          serve --listen 1.2.3.4
expect 2 "'localhost:80'"     serve --listen localhost:80
expect 2 "':0'"               serve --listen :0
expect 2 "'[::1:80'"          serve --listen '[::1:80'
expect 2 "'-1'"               serve --min-interval -1
expect 2 "'1x'"               serve --min-interval 1x
expect 2 "--format does not apply to 'serve'" serve -f json
expect 2 "--write does not apply to 'serve'"  serve --write /tmp/x
expect 2 "--interval does not apply to 'serve'" serve -i 1
expect 2 "--by process applies to the report and 'leaks', not to 'serve'" serve --by process
expect 2 "--all-netns cannot be used with --netns" serve --leaks --all-netns -N x
expect 2 "apply to 'serve' only" --listen :9999
expect 2 "apply to 'serve' only" -f prometheus --min-interval 2
expect 1 "no-such-ns"         serve -N no-such-ns --listen 127.0.0.1:1

# PORTSTAT_SPLIT: one check for every command (leaks: its usage status 3).
PORTSTAT_SPLIT=x expect 2 "invalid PORTSTAT_SPLIT 'x' (1 to 8)"
PORTSTAT_SPLIT=9 expect 2 "invalid PORTSTAT_SPLIT '9'" --all-netns
PORTSTAT_SPLIT=0 expect 2 "invalid PORTSTAT_SPLIT '0'" --replay "$fixture"
PORTSTAT_SPLIT=x expect 2 "invalid PORTSTAT_SPLIT 'x'" top
PORTSTAT_SPLIT=x expect 3 "invalid PORTSTAT_SPLIT 'x'" leaks
expect 2 "'65536'"        -p 65536
expect 2 "'http'"         -p http
expect 2 "'9000-8000'"    -p 9000-8000
expect 2 "'0'"            -i 0
expect 2 "'-1'"           -i -1
expect 2 "'abc'"          -i abc
expect 2 "'nan'"          -i nan
expect 2 "'0'"            -c 0
expect 2 "'x'"            -c x
expect 2 "'xml'"          -f xml
expect 2 "'Prometheus'"   -f Prometheus
expect 2 "'--bogus'"      --bogus
expect 2 "'-z'"           -z
expect 2 "'--state'"      --state
expect 2 "'frobnicate'"   frobnicate
expect 2 "'extra'"        report extra
expect 2 "'sideways'"     --by sideways
expect 2 "'size'"         --sort size
expect 2 "'0'"            --top 0
expect 2 "cannot be used together" --record "$tmp/r" --replay "$fixture"
expect 2 "cannot be used together" --replay "$fixture" -N foo
expect 2 "cannot be used together" --replay "$fixture" -i 1

expect 1 "no-such-ns-$$"  -N "no-such-ns-$$"
expect 1 "$tmp/missing"   --replay "$tmp/missing"
printf 'hello world, not a recording' > "$tmp/junk"
expect 1 "not a portstat recording" --replay "$tmp/junk"
head -c 100 "$fixture" > "$tmp/short"
expect 1 "truncated"      --replay "$tmp/short"
: > "$tmp/empty"
expect 1 "not a portstat recording" --replay "$tmp/empty"
expect 1 "cannot create recording" --record /nonexistent-dir/x.rec
# The first sample's seconds near INT64_MAX (they overflowed leaks' ms).
cp "$fixture" "$tmp/time"
printf '\xff\xff\xff\xff\xff\xff\xff\x7f' | dd of="$tmp/time" bs=1 seek=24 conv=notrunc status=none
expect 1 "replay file '$tmp/time': corrupt sample time in sample 1" --replay "$tmp/time"
# leaks: the same damage is UNKNOWN (3), one line naming the file.
expect 3 "replay file '$tmp/time': corrupt sample time" leaks --replay "$tmp/time"
expect 3 "replay file '$tmp/short': truncated" leaks --replay "$tmp/short"
expect 3 "replay file '$tmp/junk': not a portstat recording" leaks --replay "$tmp/junk"
# doctor too, and a damaged kernel context block (a digit of somaxconn in
# doctor-accept.rec's first sample made a letter) names file and sample.
expect 3 "replay file '$tmp/time': corrupt sample time" doctor --replay "$tmp/time"
expect 3 "replay file '$tmp/short': truncated" doctor --replay "$tmp/short"
expect 3 "replay file '$tmp/nosuch'" doctor -f json --replay "$tmp/nosuch"
head -c 16 "$fixture" > "$tmp/header-only"
expect 3 "replay file '$tmp/header-only' holds no samples" doctor --replay "$tmp/header-only"
dfix=$(dirname "$fixture")/doctor-accept.rec
cp "$dfix" "$tmp/ctx"
off=$(grep -abo 'somaxconn=' "$dfix" | head -1 | cut -d: -f1)
printf 'x' | dd of="$tmp/ctx" bs=1 seek=$((off + 10)) conv=notrunc status=none
expect 3 "replay file '$tmp/ctx': sample 1: kernel context line 4: somaxconn is not a decimal number" doctor --replay "$tmp/ctx"
expect 1 "replay file '$tmp/ctx': sample 1: kernel context line 4" --replay "$tmp/ctx"
expect 3 "cannot be used together" doctor --record "$tmp/d.rec" --replay "$dfix"
expect 3 "cannot be used together" doctor --replay "$dfix" -i 1
# A refused doctor run creates no recording; an existing file is refused.
expect 3 "unknown check 'bogus'" doctor --record "$tmp/d.rec" --warn bogus=1
expect 3 "no-such-ns-$$" doctor --record "$tmp/d.rec" -N "no-such-ns-$$"
[ ! -e "$tmp/d.rec" ] && ok || ko "a refused doctor --record left $tmp/d.rec"
: > "$tmp/exists"
expect 3 "it already exists" doctor --record "$tmp/exists"

# --write: the file holds exactly one whole sample (the last), replaced
# atomically; failures exit 1, leave the old file and no temporary files.
mkdir "$tmp/w"
"$portstat" --replay "$fixture" -f json --write "$tmp/w/out.json" > "$tmp/out" 2>&1
rc=$?
[ "$rc" = 0 ] && [ ! -s "$tmp/out" ] && ok || ko "--write: exit $rc, printed $(cat "$tmp/out")"
[ "$(wc -l < "$tmp/w/out.json")" = 1 ] && [ "$(jq .sockets "$tmp/w/out.json")" = 33 ] && ok ||
	ko "--write json: $(head -c 200 "$tmp/w/out.json")"
[ "$(ls "$tmp/w")" = out.json ] && ok || ko "--write left files: $(ls "$tmp/w")"
[ "$(stat -c %a "$tmp/w/out.json")" = 644 ] && ok ||
	ko "--write mode $(stat -c %a "$tmp/w/out.json")"
"$portstat" --replay "$fixture" -f prometheus -p 8080 --write "$tmp/w/out.json"
grep -q '^portstat_tcp_port_sockets{port="8080",direction="in",state="close_wait"} 2$' "$tmp/w/out.json" &&
	! grep -q '"version"' "$tmp/w/out.json" && ok || ko "--write did not replace the file"
mkdir "$tmp/w/dir.prom"
expect 1 "refusing to write '$tmp/w/dir.prom': it is a directory" --replay "$fixture" -f prometheus --write "$tmp/w/dir.prom"
[ -d "$tmp/w/dir.prom" ] && [ "$(ls "$tmp/w" | wc -l)" = 2 ] && ok || ko "failed --write left: $(ls "$tmp/w")"
expect 1 "cannot write '$tmp/nodir/x'" --replay "$fixture" --write "$tmp/nodir/x"
expect 2 "'top'"          top --write "$tmp/w/x"
expect 2 "empty --write"  --write ""
expect 2 "empty --record" --record ""
expect 3 "empty --record" leaks --record ""
# The plugin's UNKNOWN line for usage and runtime errors, whatever the
# format (nothing else was written yet); a '|' in the reason is escaped.
expect 3 "invalid --warn 'x" leaks --warn 'x|y'
grep -qF "UNKNOWN: invalid --warn 'x\x7cy'" "$tmp/out" && ok || ko "leaks --warn 'x|y': '|' not escaped: $(cat "$tmp/out")"
expect 3 "--warn 9 is above --crit 5" leaks -f json --warn 9 --crit 5
expect 3 "replay file '$tmp/nosuch'" leaks -f prometheus --replay "$tmp/nosuch"
expect 3 "replay file '$tmp/nosuch'" leaks -f csv --replay "$tmp/nosuch"
expect 3 "portstat-no-such-ns-12" leaks -N portstat-no-such-ns-12
expect 2 "'top'"          top --by process
expect 2 "--by cgroup cannot be used with --all-netns" --by cgroup --all-netns
expect 2 "--by process cannot be used with --replay" --by process --replay "$fixture"
expect 2 "--all-netns cannot be used with --netns" --all-netns -N foo
expect 2 "--all-netns cannot be used with --replay" --all-netns --replay "$fixture"
expect 2 "--all-netns cannot be used with --record" --all-netns --record "$tmp/r"

# -s takes the names the header prints, in any case, as the same states.
"$portstat" --replay "$fixture" -f json -s listen,established,close-wait > "$tmp/s-ss" 2>&1
"$portstat" --replay "$fixture" -f json -s LISTEN,ESTAB,Close_Wait > "$tmp/s-hdr" 2>&1
[ -s "$tmp/s-ss" ] && cmp -s "$tmp/s-ss" "$tmp/s-hdr" && ok ||
	ko "-s LISTEN,ESTAB,Close_Wait differs from -s listen,established,close-wait"

# --help: exit 0, fits a 80x24 screen, names every long option the man page has.
"$portstat" --help > "$tmp/help"; rc=$?
[ "$rc" = 0 ] && ok || ko "--help exit $rc"
[ "$(wc -l < "$tmp/help")" -le 24 ] && ok || ko "--help has $(wc -l < "$tmp/help") lines (> 24)"
[ "$(awk '{ if (length > 80) n++ } END { print n + 0 }' "$tmp/help")" = 0 ] && ok || ko "--help has lines over 80 columns"
man=$(dirname "$0")/../man/portstat.8
for opt in $(grep -o -- '--[a-z][a-z-]*' "$tmp/help" | sort -u); do
	grep -qF -- "${opt//-/\\-}" "$man" && ok || ko "man page lacks $opt"
done
# Each command's help: exit 0, fits 80x24, and top's names none of the
# options top refuses (-f, --record, --write).
for cmd in top leaks doctor; do
	"$portstat" $cmd --help > "$tmp/help-$cmd"; rc=$?
	[ "$rc" = 0 ] && ok || ko "$cmd --help exit $rc"
	head -1 "$tmp/help-$cmd" | grep -q "^Usage: portstat $cmd" && ok || ko "$cmd --help: $(head -1 "$tmp/help-$cmd")"
	[ "$(wc -l < "$tmp/help-$cmd")" -le 24 ] && ok || ko "$cmd --help has more than 24 lines"
	[ "$(awk '{ if (length > 80) n++ } END { print n + 0 }' "$tmp/help-$cmd")" = 0 ] && ok ||
		ko "$cmd --help has lines over 80 columns"
	grep -q "portstat $cmd --help" "$tmp/help" && ok || ko "--help does not point to '$cmd --help'"
done
! grep -qE -- '-f,|--format|--record|--write' "$tmp/help-top" && ok || ko "top --help lists options top refuses"
[ "$("$portstat" --version | sed 1d)" = "License: MIT" ] &&
	"$portstat" --version | grep '^portstat [0-9]' >/dev/null && ok || ko "--version: version, then the licence"

# A closed pipe ends the output quietly.
( "$portstat" --replay "$fixture" -f json 2>"$tmp/pipe-err" | head -c 1 >/dev/null )
[ ! -s "$tmp/pipe-err" ] && ok || ko "closed pipe printed: $(cat "$tmp/pipe-err")"

echo "cli_errors: $pass passed, $fail failed"
[ "$fail" = 0 ]
