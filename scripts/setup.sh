# SPDX-License-Identifier: MIT
# shellcheck shell=bash disable=SC2034
# Sourced by scripts/run and scripts/test: install what a fresh Debian 12
# lacks, then configure and build into build/.  Silent when nothing is
# missing and the build succeeds; on failure the build log is shown.

PORTSTAT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Build and run time dependencies (Debian package names).
# bpftool, libbpf-dev: the BPF owner backend (issue 16), built when clang is
# there too (PORTSTAT_BPF=AUTO); clang itself is not pulled in for it (a
# few hundred MB: a fresh scripts/run stays fast, owners come from /proc).
PORTSTAT_PKGS=(gcc make cmake pkg-config libmnl-dev libncurses-dev check
               libsubunit-dev iproute2 libmicrohttpd-dev bpftool libbpf-dev)
# What only the test suite and benchmarks need.
# prometheus: promtool; prometheus-node-exporter: the textfile consumer test;
# mandoc: the man page's lint (man_lint); netbase: /etc/services, whose
# names the golden text reports show (SERVICE).
# dpkg-dev, debhelper, lintian: the Debian package test (pkg_deb), and
# clang for its Build-Depends (the package is built with the BPF owner
# backend; bpftool and libbpf-dev are above);
# bash-completion, zsh, fish: the completions test; systemd: its
# systemd-analyze verifies the units (pkg_units).
PORTSTAT_TEST_PKGS=(jq net-tools tmux procps time curl python3 prometheus
                    prometheus-node-exporter valgrind cppcheck clang-tidy
                    mandoc netbase dpkg-dev debhelper lintian bash-completion
                    zsh fish systemd clang)

portstat_install() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "portstat: installing ${missing[*]}" >&2
	if [ "$(id -u)" -ne 0 ]; then
		echo "portstat: need root to install: apt-get install ${missing[*]}" >&2
		return 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	# A fresh machine has no package lists; an old list may miss versions.
	apt-get update -qq >&2 || return 1
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 || return 1
}

# portstat_build DIR [CMAKE ARGS...]; PORTSTAT_TARGETS limits what is built.
portstat_build() {
	local dir=$1 log
	shift
	log="$dir/setup.log"
	mkdir -p "$dir"
	if ! { cmake -S "$PORTSTAT_ROOT" -B "$dir" -DPORTSTAT_WERROR=ON "$@" &&
	       cmake --build "$dir" -j "$(nproc)" ${PORTSTAT_TARGETS:+--target $PORTSTAT_TARGETS}; } >"$log" 2>&1; then
		cat "$log" >&2
		echo "portstat: build failed (log: $log)" >&2
		return 1
	fi
}
