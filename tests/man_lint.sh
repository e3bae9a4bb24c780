#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# man_lint: the man page is clean for mandoc down to STYLE warnings, and it
# names the same signals as the README for ending a run (both say SIGINT,
# SIGTERM and SIGHUP; the code handles all three in main.c and top.c).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
man=$root/man/portstat.8
command -v mandoc >/dev/null || { echo "SKIP: mandoc not installed" >&2; exit 77; }
fail=0
out=$(mandoc -Tlint -Wstyle "$man" 2>&1)
[ -z "$out" ] || { echo "FAIL: mandoc -Tlint:"; printf '%s\n' "$out"; fail=1; }
# Every sentence on ending a run names all three signals, in both documents.
for f in "$man" "$root/README.md"; do
	while IFS= read -r line; do
		grep -q 'SIGHUP' <<<"$line" ||
			{ echo "FAIL: $(basename "$f"): SIGINT without SIGHUP: $line"; fail=1; }
	done < <(tr '\n' ' ' <"$f" | sed 's/\\-//g' | grep -oE 'SIGINT[^.]{0,40}(end|restore)[^.]*' )
done
exit $fail
