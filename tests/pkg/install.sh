#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# install.sh: `cmake --install` of the test build into a DESTDIR installs
# exactly the expected files, under the prefix given at install time:
#   --prefix /usr --strip   the Debian-like layout, binary stripped
#   (no --prefix)           /usr/local, stripped only for Release/MinSizeRel
# and the installed binary runs, the installed files are the sources (the
# service with ExecStart pointing at the installed binary), and nothing of
# the DESTDIR leaks into a path.  Needs a build configured with the
# default prefix and directories (scripts/test's); skips (77) otherwise.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=${SRC_DIR:-$(cd "$here/../.." && pwd)}
build=${BUILD_DIR:?BUILD_DIR must name the build directory}
tmp=$(mktemp -d /tmp/portstat-install.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0

bad() {
	echo "FAIL: $*" >&2
	fail=1
}

cache() {
	sed -n "s/^$1:[A-Z]*=//p" "$build/CMakeCache.txt"
}

prefix=$(cache CMAKE_INSTALL_PREFIX)
if [ "$prefix" != /usr/local ]; then
	echo "SKIP: $build was configured with prefix '$prefix'; the expected layout is the default's" >&2
	exit 77
fi
for v in PORTSTAT_BASH_COMPLETION_DIR PORTSTAT_ZSH_COMPLETION_DIR \
	 PORTSTAT_FISH_COMPLETION_DIR PORTSTAT_SYSTEMD_UNIT_DIR; do
	if [ -n "$(cache $v)" ]; then
		echo "SKIP: $build sets $v; the expected layout is the default's" >&2
		exit 77
	fi
done
version=$(sed -nE 's/^project\(portstat VERSION ([0-9.]+) .*/\1/p' "$src/CMakeLists.txt")
[ -n "$version" ] || bad "no version in CMakeLists.txt's project()"

# expected P: the files an install with prefix P holds, sorted.
expected() {
	sort <<-EOF
	$1/sbin/portstat
	$1/share/man/man8/portstat.8
	$1/share/bash-completion/completions/portstat
	$1/share/zsh/site-functions/_portstat
	$1/share/fish/vendor_completions.d/portstat.fish
	$1/lib/systemd/system/portstat-textfile.service
	$1/lib/systemd/system/portstat-textfile.timer
	$1/share/portstat/portstat-alerts.yml
	$1/share/portstat/portstat-alerts.test.yml
	EOF
}

stripped() {
	# readelf's whole output first: grep -q quitting early would SIGPIPE it.
	local sections
	sections=$(readelf -SW "$1") || return 2
	! grep -q '\.symtab' <<<"$sections"
}

# check DESTDIR PREFIX STRIPPED(yes|no): one installed tree.
check() {
	local root=$1 p=$2 strip=$3 got want f
	got=$(cd "$root" && find . -type f -o -type l | sed 's|^\.||' | sort)
	want=$(expected "$p")
	[ "$got" = "$want" ] || bad "prefix $p: installed files differ:
$(diff <(echo "$want") <(echo "$got"))"
	[ -x "$root$p/sbin/portstat" ] || { bad "prefix $p: no executable sbin/portstat"; return; }
	[[ $("$root$p/sbin/portstat" --version) == "portstat $version"* ]] ||
		bad "prefix $p: --version does not start with 'portstat $version'"
	if [ "$strip" = yes ]; then
		stripped "$root$p/sbin/portstat" || bad "prefix $p: binary not stripped"
	else
		stripped "$root$p/sbin/portstat" && bad "prefix $p: binary stripped, but this build type keeps symbols"
	fi
	cmp -s "$src/man/portstat.8" "$root$p/share/man/man8/portstat.8" || bad "prefix $p: man page differs"
	cmp -s "$src/contrib/completions/portstat.bash" "$root$p/share/bash-completion/completions/portstat" ||
		bad "prefix $p: bash completion differs"
	cmp -s "$src/contrib/systemd/portstat-textfile.timer" "$root$p/lib/systemd/system/portstat-textfile.timer" ||
		bad "prefix $p: timer differs"
	for f in portstat-alerts.yml portstat-alerts.test.yml; do
		cmp -s "$src/contrib/$f" "$root$p/share/portstat/$f" || bad "prefix $p: $f differs"
	done
	# The service: the source with ExecStart naming the installed binary.
	want=$(sed "s|^ExecStart=/usr/sbin/portstat |ExecStart=$p/sbin/portstat |" \
		"$src/contrib/systemd/portstat-textfile.service")
	[ "$want" = "$(cat "$root$p/lib/systemd/system/portstat-textfile.service")" ] ||
		bad "prefix $p: service differs from the source with ExecStart=$p/sbin/portstat"
	grep -q "^ExecStart=$p/sbin/portstat " "$root$p/lib/systemd/system/portstat-textfile.service" ||
		bad "prefix $p: ExecStart is not $p/sbin/portstat"
	grep -rq "$tmp" "$root" && bad "prefix $p: an installed file names the DESTDIR"
}

install_into() {
	local root=$1
	shift
	if ! DESTDIR=$root cmake --install "$build" "$@" >"$tmp/log" 2>&1; then
		cat "$tmp/log" >&2
		bad "cmake --install $* failed"
	fi
}

install_into "$tmp/usr" --prefix /usr --strip
check "$tmp/usr" /usr yes

case $(cache CMAKE_BUILD_TYPE) in
Release | MinSizeRel) strip=yes ;;
*) strip=no ;;
esac
[ "$(cache PORTSTAT_INSTALL_STRIP)" = OFF ] && strip=no
[ "$(cache PORTSTAT_INSTALL_STRIP)" = ON ] && strip=yes
install_into "$tmp/local"
check "$tmp/local" /usr/local "$strip"

[ "$fail" = 0 ] || exit 1
echo "install: /usr (--strip) and /usr/local (build type $(cache CMAKE_BUILD_TYPE), stripped: $strip): $(expected /usr | wc -l) files each, as expected"
