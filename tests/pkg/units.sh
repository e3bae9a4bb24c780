#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# units.sh: the shipped systemd units (contrib/systemd/) verify, carry the
# keys and hardening the package promises, and the service's capability
# set is what its command needs, no less:
#   1. systemd-analyze verify of both units, with ExecStart pointing at the
#      built binary and the man page findable (Documentation=): exit 0 and
#      not one warning;
#   2. Description=, Documentation=man:portstat(8) in both; the service's
#      hardening keys, its --write file inside ReadWritePaths=;
#   3. systemd-analyze security (offline): exposure at most 4.5;
#   4. as root with namespaces: the service's ExecStart, run under its own
#      CapabilityBoundingSet= and NoNewPrivileges= (setpriv), reads the
#      host's namespace, a named one and an unnamed one a process holds;
#      and without CAP_SYS_PTRACE it would miss the host's (so the set is
#      not larger than it needs to be for nothing).
# Skips (77) where systemd-analyze is missing.  As root, 4 runs in a
# private mount namespace with its own tmpfs on /run/netns: the named
# namespaces other tests make and break meanwhile (it_hostile leaves files
# there that are no namespace) are not its business.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=${SRC_DIR:-$(cd "$here/../.." && pwd)}
if [ "$(id -u)" = 0 ] && [ -z "${PORTSTAT_UNITS_PRIVATE:-}" ] &&
	unshare -m --propagation private true 2>/dev/null; then
	export SRC_DIR=$src PORTSTAT_UNITS_PRIVATE=1
	exec unshare -m --propagation private bash "$0" "$@"
fi
portstat=${PORTSTAT:?PORTSTAT must name the binary}
units=$src/contrib/systemd
svc=$units/portstat-textfile.service
tmr=$units/portstat-textfile.timer
fail=0 ns='' holder=''
tmp=$(mktemp -d /tmp/portstat-units.XXXXXX) || exit 1

cleanup() {
	[ -n "$holder" ] && kill "$holder" 2>/dev/null && wait "$holder" 2>/dev/null
	[ -n "$ns" ] && ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

bad() {
	echo "FAIL: $*" >&2
	fail=1
}

command -v systemd-analyze >/dev/null || { echo "SKIP: no systemd-analyze" >&2; exit 77; }

# 1. verify: a copy whose ExecStart is the built binary.
mkdir -p "$tmp/units" "$tmp/man/man8"
cp "$src/man/portstat.8" "$tmp/man/man8/"
sed "s|^ExecStart=/usr/sbin/portstat |ExecStart=$portstat |" "$svc" > "$tmp/units/portstat-textfile.service"
cp "$tmr" "$tmp/units/"
grep -q "^ExecStart=$portstat " "$tmp/units/portstat-textfile.service" ||
	bad "the service's ExecStart does not start with /usr/sbin/portstat"
out=$(cd "$tmp/units" && MANPATH=$tmp/man systemd-analyze verify \
	portstat-textfile.service portstat-textfile.timer 2>&1)
rc=$?
[ "$rc" = 0 ] || bad "systemd-analyze verify exited $rc"
[ -z "$out" ] || bad "systemd-analyze verify says:
$out"

# 2. keys.
key() {	# key FILE KEY: its value (the last one given)
	sed -n "s/^$2=//p" "$1" | tail -1
}
for f in "$svc" "$tmr"; do
	[ -n "$(key "$f" Description)" ] || bad "${f##*/}: no Description="
	[ "$(key "$f" Documentation)" = "man:portstat(8)" ] || bad "${f##*/}: Documentation= is not man:portstat(8)"
done
[ "$(key "$tmr" WantedBy)" = timers.target ] || bad "timer: not WantedBy=timers.target"
[ "$(key "$tmr" OnUnitActiveSec)" = 15s ] || bad "timer: not every 15 s"
for kv in Type=oneshot ProtectSystem=strict PrivateTmp=yes NoNewPrivileges=yes \
	  ReadWritePaths=/var/lib/prometheus/node-exporter \
	  "CapabilityBoundingSet=CAP_SYS_ADMIN CAP_SYS_PTRACE"; do
	[ "$(key "$svc" "${kv%%=*}")" = "${kv#*=}" ] || bad "service: not $kv"
done
exec_line=$(key "$svc" ExecStart)
write=$(sed -nE 's/.*--write ([^ ]+).*/\1/p' <<<"$exec_line")
case $write in
/var/lib/prometheus/node-exporter/?*) ;;
*) bad "service: --write '$write' is not inside ReadWritePaths=" ;;
esac

# 3. exposure, as systemd rates it.
if out=$(systemd-analyze security --offline=yes --threshold=45 "$tmp/units/portstat-textfile.service" 2>&1); then
	echo "# $(grep -o 'Overall exposure level.*' <<<"$out")"
else
	bad "systemd-analyze security: exposure above 4.5:
$(grep -E '✗|Overall' <<<"$out")"
fi

# 4. the capability set, exercised.
if [ -n "${PORTSTAT_UNITS_PRIVATE:-}" ] && command -v setpriv >/dev/null &&
	mkdir -p /run/netns && mount -t tmpfs -o size=64k,mode=0755 portstat-units /run/netns &&
	ip netns add "pstest-$$-unit" 2>/dev/null; then
	ns=pstest-$$-unit
	# An unnamed namespace, held by a process of ours, as a container's is.
	unshare -n sleep 60 &
	holder=$!
	for ((i = 0; i < 100; i++)); do
		[ "$(readlink "/proc/$holder/ns/net" 2>/dev/null)" != "$(readlink /proc/self/ns/net)" ] &&
			[ "$(cat "/proc/$holder/comm" 2>/dev/null)" = sleep ] && break
		sleep 0.05
	done
	caps=$(key "$svc" CapabilityBoundingSet)
	bounding=-all$(for c in $caps; do c=${c#CAP_}; printf ',+%s' "${c,,}"; done)
	# The ExecStart of the unit, with the built binary and a file of ours.
	read -ra cmd <<<"${exec_line/\/usr\/sbin\/portstat/$portstat}"
	cmd=("${cmd[@]/$write/$tmp/portstat.prom}")
	run_capped() {	# run_capped BOUNDING: the netns labels it writes
		rm -f "$tmp/portstat.prom"
		setpriv --bounding-set="$1" --inh-caps=-all --no-new-privs -- "${cmd[@]}" 2>"$tmp/err"
		[ -s "$tmp/portstat.prom" ] || { cat "$tmp/err" >&2; return 1; }
		grep -o 'netns="[^"]*"' "$tmp/portstat.prom" | sort -u | sed 's/netns=//; s/"//g'
	}
	if got=$(run_capped "$bounding"); then
		for want in host "$ns" "pid:$holder/sleep"; do
			grep -qx -- "$want" <<<"$got" ||
				bad "ExecStart under CapabilityBoundingSet=$caps: no namespace '$want' (got: ${got//$'\n'/ })"
		done
		# Other tests' unnamed namespaces may vanish or refuse us
		# meanwhile; portstat says so, which is not this test's concern.
		[ -s "$tmp/err" ] && sed 's/^/# stderr: /' "$tmp/err" >&2
	else
		bad "ExecStart under CapabilityBoundingSet=$caps failed"
	fi
	# Without CAP_SYS_PTRACE, /proc/1/ns/net is out of reach.
	got=$(run_capped -all,+sys_admin)
	grep -qx host <<<"$got" && bad "without CAP_SYS_PTRACE the host's namespace was still read: drop it from the unit?"
	echo "# capabilities: $caps checked for host, $ns and pid:$holder/sleep; CAP_SYS_ADMIN alone for missing host"
else
	echo "# not root or no netns: the capability set not exercised" >&2
fi

[ "$fail" = 0 ] || exit 1
echo "units: verified"
