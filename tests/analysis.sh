#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Static analysis: cppcheck and clang-tidy (configuration: .clang-tidy at the
# root) over every source file; any finding fails.  Needs the build's
# compile_commands.json (BUILD_DIR).  src/bpf/ (the BPF programs: their own
# target, headers and macros; clang -target bpf checks them) is left out.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:?}
command -v cppcheck >/dev/null && command -v clang-tidy >/dev/null || { echo "SKIP: cppcheck/clang-tidy missing"; exit 77; }
cd "$root"
status=0
out=$(cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability --std=c11 \
	-D_GNU_SOURCE -I include -i src/bpf src bench/*.c tests/faults/*.c 2>&1) || { echo "$out"; status=1; }
out=$(ls src/*.c | xargs -P "$(nproc)" -n 4 clang-tidy -p "$build" --quiet 2>&1 |
	grep -E "(warning|error):") && { echo "$out"; status=1; }
[ "$status" = 0 ] && echo "analysis: 2 passed, 0 failed" || echo "analysis: failed"
exit $status
