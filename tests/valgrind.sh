#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# valgrind memcheck on the report (live in the caller's namespace, and
# replayed in every format), leaks (replayed), doctor (replayed, and live
# recording) and --all-netns: no errors,
# no definite leaks.  The dashboard's run is in it_top.  Skipped in
# sanitizer builds, which valgrind cannot run.
set -uo pipefail
portstat=${PORTSTAT:?}
fixtures=$(cd "$(dirname "$0")" && pwd)/fixtures
command -v valgrind >/dev/null || { echo "SKIP: valgrind missing"; exit 77; }
ldd "$portstat" | grep -q libasan && { echo "SKIP: sanitizer build"; exit 77; }
pass=0 fail=0
vg() {
	local log
	log=$(mktemp)
	valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		--suppressions="$(dirname "$0")/valgrind.supp" \
		--log-file="$log" "$portstat" "$@" > /dev/null 2>&1
	if [ $? = 99 ] || grep -q "definitely lost: [1-9]" "$log"; then
		echo "FAIL: valgrind portstat $*"; cat "$log"; fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
	rm -f "$log"
}
vg -c 2 -i 0.1
vg -f json -c 2 -i 0.1 --by local
vg --replay "$fixtures/sample.rec" -f prometheus
vg --replay "$fixtures/interrupted.rec" -f csv
vg --replay "$fixtures/repeated.rec" -f json
vg leaks --replay "$fixtures/sample.rec" -f json
vg --by process -c 2 -i 0.1 -f json
vg --by cgroup -f prometheus
vg --replay "$fixtures/sample.rec" --by cgroup --top 1
# doctor: replaying samples with their kernel context, one without it,
# and a live run that records (the context read and written).
vg doctor --replay "$fixtures/doctor-accept.rec" -f json
vg doctor --replay "$fixtures/sample.rec"
rec=$(mktemp -u /tmp/portstat-vg-XXXXXX.rec)
vg doctor --record "$rec" -c 2 -i 0.1
rm -f "$rec"
[ "$(id -u)" = 0 ] && vg --all-netns -f json
echo "valgrind: $pass passed, $fail failed"
[ "$fail" = 0 ]
