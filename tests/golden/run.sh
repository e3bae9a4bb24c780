#!/usr/bin/env bash
# Golden-file test: replays tests/fixtures/sample.rec (a real kernel dump),
# or the fixture a case names, with each case of cases.txt (arguments, or
# 'leaks' or 'doctor' and its arguments) and compares
# stdout, stderr and the exit status byte for byte with
# tests/golden/<name>.out.  With --update, rewrites the golden files instead
# (review the diff before committing).
set -uo pipefail
shopt -s extglob
here=$(cd "$(dirname "$0")" && pwd)
portstat=${PORTSTAT:?PORTSTAT must name the binary}
fixtures=$here/../fixtures
update=${1:-}
pass=0 fail=0
while IFS='|' read -r name args fixture; do
	name=${name//[[:space:]]/}
	fixture=${fixture//[[:space:]]/}
	[ -z "$name" ] || [ "${name:0:1}" = "#" ] && continue
	# A case may name a command (leaks, doctor) first: it goes before
	# --replay.
	cmd=()
	case "$args" in
	*([[:space:]])leaks*) cmd=(leaks); args=${args/leaks/} ;;
	*([[:space:]])doctor*) cmd=(doctor); args=${args/doctor/} ;;
	esac
	# shellcheck disable=SC2086 # args are deliberately word-split
	# The one value that differs between runs, the sample's own duration,
	# is normalised (and so checked to be a plain number).
	out=$("$portstat" "${cmd[@]}" --replay "$fixtures/${fixture:-sample.rec}" $args 2>&1 |
	      sed -E 's/^(portstat_sample_duration_seconds) [0-9]+\.[0-9]{6}$/\1 <seconds>/')
	rc=$?	# pipefail: portstat's status, not sed's
	out+=$'\n'"exit $rc"
	if [ "$update" = --update ]; then
		printf '%s\n' "$out" > "$here/$name.out"
		continue
	fi
	if diff -u "$here/$name.out" <(printf '%s\n' "$out"); then
		pass=$((pass + 1))
	else
		echo "FAIL: $name (portstat ${cmd[*]} --replay ${fixture:-sample.rec} $args)"
		fail=$((fail + 1))
	fi
done < "$here/cases.txt"
[ "$update" = --update ] && { echo "golden files updated"; exit 0; }
echo "golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
