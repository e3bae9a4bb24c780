#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# leaks_memory: what `portstat leaks` costs per group.  Two crafted
# recordings (tests/fixtures/make-groups.py: 50k and 200k groups, one
# socket each with its own peer and tcp_info, every stuck state) are
# replayed in text and JSON; the peak RSS of each run is measured
# (/usr/bin/time) and the slope between the two sizes, bytes per group,
# must stay under 400 (about 240 measured; it was 3 KiB).  A memory
# assertion, never a timing one.  Skipped in sanitizer builds, whose shadow
# memory and quarantine are not the program's.
set -uo pipefail
portstat=${PORTSTAT:?}
gen=$(cd "$(dirname "$0")" && pwd)/fixtures/make-groups.py
bound=400
[ -x /usr/bin/time ] || { echo "SKIP: /usr/bin/time missing (Debian: time)"; exit 77; }
ldd "$portstat" | grep libasan >/dev/null && { echo "SKIP: sanitizer build"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { echo "FAIL: $*"; fail=$((fail + 1)); }

small=50000 large=200000
for n in $small $large; do
	python3 "$gen" "$n" "$tmp/$n.rec" || { echo "FAIL: make-groups.py $n"; exit 1; }
done

# rss GROUPS FORMAT: peak RSS (KiB) of one run, after checking its output
# holds every group.
rss() {
	local n=$1 fmt=$2 rc got
	/usr/bin/time -f %M -o "$tmp/rss" "$portstat" leaks --replay "$tmp/$n.rec" \
		-s close-wait,fin-wait-1,fin-wait-2,last-ack,closing -f "$fmt" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	[ "$rc" = 0 ] || ko "leaks $n groups -f $fmt: exit $rc: $(head -3 "$tmp/err")"
	# text: time stamp, verdict, header, then a row per group; JSON: one
	# line, whose last group (all hold one socket: by port, direction,
	# state) is port n/5's outbound CLOSING.
	if [ "$fmt" = text ]; then
		got=$(($(wc -l < "$tmp/out") - 3))
		[ "$got" = "$n" ] || ko "leaks $n groups -f text: $got groups in the output"
	else
		got=$(tail -c 400 "$tmp/out")
		[ "$(wc -l < "$tmp/out")" = 1 ] && [[ $got == *'"port":'$((n / 5))',"direction":"out","state":"closing"'*'"count":1}]}]}' ]] ||
			ko "leaks $n groups -f json: ends with ...$got"
	fi
	tail -1 "$tmp/rss"
}

for fmt in text json; do
	a=$(rss $small $fmt)
	b=$(rss $large $fmt)
	slope=$(( (b - a) * 1024 / (large - small) ))
	echo "leaks -f $fmt: peak RSS ${a} KiB at $small groups, ${b} KiB at $large: $slope bytes per group"
	[ "$slope" -lt "$bound" ] && ok || ko "-f $fmt: $slope bytes per group (bound $bound)"
done

echo "leaks_memory: $pass passed, $fail failed"
[ "$fail" = 0 ]
