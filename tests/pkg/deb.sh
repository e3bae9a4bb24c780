#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# deb.sh: the Debian package builds from a copy of the tree and is what it
# claims to be.
#   1. the tree (git's tracked and untracked-but-not-ignored files, so no
#      build directory) is copied to a temporary directory, and
#      dpkg-buildpackage -us -uc builds the source and binary packages
#      there: dpkg writes them to the copy's parent, never beside $SRC_DIR;
#   2. dpkg-deb -c lists exactly the expected files, owned by root, each
#      named in the man page (and its directory in the README);
#      Depends names libmnl and ncursesw (from shlibs), and libbpf when the
#      build machine has kernel BTF (then the BPF owner backend is built
#      in, and as root the packaged binary's owners come from it); the maintainer
#      scripts enable and start no unit;
#   3. dpkg-deb -x into a temporary root: its binary is stripped and
#      hardened (PIE, RELRO, bind now, fortified calls), prints
#      the version, reports this namespace, and replays the fixture to the
#      golden output byte for byte; the shipped completions, units, alert
#      rules and man page are the tree's;
#   4. lintian on the .changes (source and binary): no E: or W: line.
# Skips (77) only where dpkg-dev, debhelper or lintian is missing
# (scripts/setup.sh installs them).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=${SRC_DIR:-$(cd "$here/../.." && pwd)}
fail=0

for tool in dpkg-buildpackage dpkg-deb dh lintian; do
	command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed" >&2; exit 77; }
done
tmp=$(mktemp -d /tmp/portstat-deb.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT

bad() {
	echo "FAIL: $*" >&2
	fail=1
}

version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
cmake_version=$(sed -nE 's/^project\(portstat VERSION ([0-9.]+) .*/\1/p' "$src/CMakeLists.txt")
[ "$version" = "$cmake_version" ] ||
	bad "debian/changelog's version $version is not CMakeLists.txt's $cmake_version"
grep -q "^## $cmake_version " "$src/CHANGELOG.md" || bad "CHANGELOG.md has no entry for $cmake_version"
grep -q "^\.TH PORTSTAT 8 .* \"portstat $cmake_version\"" "$src/man/portstat.8" ||
	bad "the man page's .TH does not name portstat $cmake_version"
arch=$(dpkg --print-architecture)

# 1. a copy, and the build.
tree=$tmp/portstat-$version
mkdir -p "$tree"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$src" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		tar --null -T - -cf -) | tar -C "$tree" -xf - || bad "copying the tree failed"
else
	tar -C "$src" --exclude='./build' --exclude='./build-*' -cf - . | tar -C "$tree" -xf - ||
		bad "copying the tree failed"
fi
before=$(ls -d "$src"/../portstat_* 2>/dev/null)
start=$SECONDS
if ! (cd "$tree" && DEB_BUILD_OPTIONS="parallel=$(nproc)" dpkg-buildpackage -us -uc) >"$tmp/build.log" 2>&1; then
	tail -40 "$tmp/build.log" >&2
	bad "dpkg-buildpackage failed (log above)"
	exit 1
fi
echo "# dpkg-buildpackage: $((SECONDS - start)) s"
[ "$(ls -d "$src"/../portstat_* 2>/dev/null)" = "$before" ] || bad "the build wrote beside the source tree"
deb=$tmp/portstat_${version}_$arch.deb
changes=$tmp/portstat_${version}_$arch.changes
[ -f "$deb" ] || { bad "no $deb; built: $(ls "$tmp")"; exit 1; }
grep -q -- '-DCMAKE_BUILD_TYPE=None' "$tmp/build.log" || bad "dh did not configure with CMAKE_BUILD_TYPE=None"
grep -q -- '-D_FORTIFY_SOURCE=2' "$tmp/build.log" || bad "the build did not use dpkg-buildflags' hardening"
if [ -f /sys/kernel/btf/vmlinux ]; then
	grep -q '^debian/rules: BPF owner backend: ON' "$tmp/build.log" &&
		grep -q 'BPF owner backend: ON' "$tmp/build.log" ||
		bad "the build machine has kernel BTF but the package was built without the BPF owner backend"
fi

# 2. contents.
want=$(sort <<-EOF
	./lib/systemd/system/portstat-textfile.service
	./lib/systemd/system/portstat-textfile.timer
	./usr/sbin/portstat
	./usr/share/bash-completion/completions/portstat
	./usr/share/doc/portstat/README.md.gz
	./usr/share/doc/portstat/changelog.gz
	./usr/share/doc/portstat/copyright
	./usr/share/fish/vendor_completions.d/portstat.fish
	./usr/share/man/man8/portstat.8.gz
	./usr/share/portstat/portstat-alerts.test.yml
	./usr/share/portstat/portstat-alerts.yml
	./usr/share/zsh/vendor-completions/_portstat
	EOF
)
listing=$(dpkg-deb -c "$deb")
got=$(awk '$1 !~ /^d/ { print $6 }' <<<"$listing" | sort)
[ "$got" = "$want" ] || bad "the package's files differ:
$(diff <(echo "$want") <(echo "$got"))"
awk '$2 != "root/root" { exit 1 }' <<<"$listing" || bad "files not owned by root/root:
$(awk '$2 != "root/root"' <<<"$listing")"
grep -E '^-rwxr-xr-x .* \./usr/sbin/portstat$' <<<"$listing" >/dev/null || bad "/usr/sbin/portstat is not 0755"
# The man page's INSTALLED FILES and the README's Install name these paths.
for f in $want; do
	f=${f#.}
	case $f in /usr/share/doc/* | /usr/share/man/*) continue ;; esac
	grep -qF -- "${f//-/\\-}" "$src/man/portstat.8" || bad "the man page does not name $f"
	case $f in
	*/systemd/system/*) d=${f%/*} ;;
	/usr/share/portstat/*) d=/usr/share/portstat ;;
	*) d=$f ;;
	esac
	grep -qF -- "$d" "$src/README.md" || bad "README.md does not name $d"
done
grep -qF /usr/local/sbin/portstat "$src/README.md" || bad "README.md does not name cmake's /usr/local/sbin/portstat"
depends=$(dpkg-deb -f "$deb" Depends)
libs=(libmnl0 libncursesw6 libc6)
# The BPF owner backend is built where the build machine has kernel BTF
# (debian/rules): then the binary links libbpf, and says so.
[ -f /sys/kernel/btf/vmlinux ] && libs+=(libbpf1)
for lib in "${libs[@]}"; do
	grep -q "$lib" <<<"$depends" || bad "Depends ($depends) lacks $lib"
done

# The units are installed, never enabled or started by the maintainer
# scripts (the administrator opts in): dh_installsystemd --no-enable
# --no-start re-enables on upgrade only what the administrator enabled
# ("debian-installed"), where its default snippet enables a new install.
dpkg-deb -e "$deb" "$tmp/control"
cat "$tmp/control"/post* "$tmp/control"/pre* 2>/dev/null > "$tmp/scripts"
grep -E 'deb-systemd-invoke (start|restart|try-restart|\$_dh_action)|systemctl (--[a-z]+ )*(enable|start|restart)|was-enabled defaults to true' "$tmp/scripts" &&
	bad "a maintainer script enables or starts a unit (above)"
if grep -q "deb-systemd-helper enable" "$tmp/scripts"; then
	grep -q "deb-systemd-helper debian-installed 'portstat-textfile.timer'" "$tmp/scripts" ||
		bad "postinst enables the timer on a new install"
fi

# 3. the extracted root.
root=$tmp/root
dpkg-deb -x "$deb" "$root"
bin=$root/usr/sbin/portstat
# (Whole outputs, then grep: a grep -q that quits early would SIGPIPE its
# writer, and pipefail would call that a failure.)
elf=$(readelf -hlSdW --dyn-syms "$bin")
grep -q '\.symtab' <<<"$elf" && bad "the packaged binary is not stripped"
# dpkg-buildflags' hardening=+all: PIE, full RELRO, bind now, fortified calls.
grep -q 'DYN (Position-Independent Executable' <<<"$elf" || bad "the binary is not PIE"
grep -q GNU_RELRO <<<"$elf" || bad "the binary has no RELRO"
grep -q 'FLAGS.*BIND_NOW' <<<"$elf" || bad "the binary is not linked with -z now"
grep -q '__[a-z_]*_chk@' <<<"$elf" || bad "no fortified libc call in the binary"
[[ $("$bin" --version) == "portstat $version"* ]] ||
	bad "--version: $("$bin" --version), not 'portstat $version...'"
# Built with the BPF owner backend, it runs it (as root, with the BTF).
if [ -f /sys/kernel/btf/vmlinux ] && [ "$(id -u)" = 0 ]; then
	note=$(PORTSTAT_DEBUG=1 PORTSTAT_OWNERS=bpf "$bin" --by process 2>&1 >/dev/null | grep 'owners from')
	[ "$note" = "portstat: note: owners from the BPF task_file iterator" ] ||
		bad "the packaged binary's owners do not come from BPF: $note"
fi
if out=$("$bin" 2>&1); then
	if ! grep -q '^PORT ' <<<"$out" || ! grep -q '^total ' <<<"$out"; then
		bad "the report has no header or total line:
$out"
	fi
else
	bad "the report failed: $out"
fi
golden() {	# golden NAME ARGS...: as tests/golden/run.sh compares it
	local name=$1 out rc
	shift
	out=$("$bin" --replay "$src/tests/fixtures/sample.rec" "$@" 2>&1)
	rc=$?
	out+=$'\n'"exit $rc"
	diff -u "$src/tests/golden/$name.out" <(printf '%s\n' "$out") >&2 ||
		bad "--replay sample.rec $*: not tests/golden/$name.out"
}
golden text_two_samples
golden json -f json
golden csv -f csv
for pair in \
	contrib/completions/portstat.bash:usr/share/bash-completion/completions/portstat \
	contrib/completions/_portstat:usr/share/zsh/vendor-completions/_portstat \
	contrib/completions/portstat.fish:usr/share/fish/vendor_completions.d/portstat.fish \
	contrib/systemd/portstat-textfile.service:lib/systemd/system/portstat-textfile.service \
	contrib/systemd/portstat-textfile.timer:lib/systemd/system/portstat-textfile.timer \
	contrib/portstat-alerts.yml:usr/share/portstat/portstat-alerts.yml \
	contrib/portstat-alerts.test.yml:usr/share/portstat/portstat-alerts.test.yml; do
	cmp -s "$src/${pair%%:*}" "$root/${pair#*:}" || bad "/${pair#*:} is not ${pair%%:*}"
done
zcat "$root/usr/share/man/man8/portstat.8.gz" | cmp -s - "$src/man/portstat.8" ||
	bad "the packaged man page is not man/portstat.8"
cmp -s "$src/debian/copyright" "$root/usr/share/doc/portstat/copyright" || bad "copyright differs"

# 4. lintian, source and binary.
start=$SECONDS
# (As root it says it would rather not be; that note is not a tag.)
lint=$(lintian --fail-on error,warning --display-info --pedantic "$changes" 2>&1)
rc=$?
echo "# lintian: $((SECONDS - start)) s, exit $rc; $(grep -c '^[IP]: ' <<<"$lint") info/pedantic tags"
grep -E '^[IP]: ' <<<"$lint" | sed 's/^/# /'
grep -E '^[EW]: ' <<<"$lint" >&2 && bad "lintian reports errors or warnings (above)"
[ "$rc" = 0 ] || bad "lintian exited $rc: $lint"

[ "$fail" = 0 ] || exit 1
echo "pkg_deb: portstat_${version}_$arch.deb built, $(wc -l <<<"$want") files as expected, lintian clean"
