#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Containers by name: namespaces held only by processes whose cgroup v2
# paths are a docker scope and a Kubernetes pod's cri-containerd scope
# (built for real: directories under the cgroup2 tree, the holders moved
# in) are labelled container:ID in every --all-netns format (leaks'
# Prometheus metrics too), with the
# pod's name from the holder's UTS hostname, and keep the label when the
# holder is replaced by a new process in the same cgroup.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
ps_require_root
command -v jq >/dev/null || ps_fail "jq not installed"
command -v unshare >/dev/null || ps_fail "unshare (util-linux) not installed"
cg=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
[ -n "$cg" ] || { echo "SKIP: no cgroup2 file system mounted" >&2; exit 77; }

hex() { od -An -tx1 -N32 /dev/urandom | tr -d ' \n'; }
id1=$(hex) id2=$(hex)
uid=1b2c3d4e-1111-2222-3333-$(od -An -tx1 -N6 /dev/urandom | tr -d ' \n')
top1="$cg/pstest-$$.slice"
dir1="$top1/docker-$id1.scope"
top2="$cg/pstest-$$-kubepods.slice"
dir2="$top2/kubepods-burstable-pod${uid//-/_}.slice/cri-containerd-$id2.scope"
holders=()

cleanup() {
	local p d
	for p in "${holders[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for p in "${holders[@]}"; do wait "$p" 2>/dev/null; done
	for d in "$dir2" "${dir2%/*}" "$top2" "$dir1" "$top1"; do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null
	done
	ps_cleanup
}
trap cleanup EXIT
mkdir -p "$dir1" "$dir2" || { echo "SKIP: cannot make cgroups under $cg" >&2; exit 77; }

# hold DIR HOSTNAME: a process in new network and UTS namespaces, with
# that hostname, moved into the cgroup DIR; its pid in $held.
hold() {
	local i
	unshare --net --uts sh -c "hostname '$2' && exec sleep 120" &
	held=$!
	holders+=("$held")
	echo "$held" > "$1/cgroup.procs" || ps_fail "cannot move $held into $1"
	for ((i = 0; i < 50; i++)); do
		[ "$(readlink "/proc/$held/ns/uts")" != "$(readlink /proc/self/ns/uts)" ] &&
			[ "$(cat "/proc/$held/comm")" = sleep ] && return 0
		sleep 0.1
	done
	ps_fail "holder $held never reached its sleep"
}
hold "$dir1" web-0
hold "$dir2" web-1
s1=${id1:0:12} s2=${id2:0:12}

json=$("$PORTSTAT" --all-netns -f json) || ps_fail "--all-netns -f json failed"
got=$(jq -c --arg l "container:$s1" '.namespaces[] | select(.netns == $l) | [.container, .pod_uid, .hostname]' <<<"$json")
[ "$got" = "[\"$s1\",null,\"web-0\"]" ] || ps_fail "docker namespace: got '$got'"
got=$(jq -c --arg l "container:$s2" '.namespaces[] | select(.netns == $l) | [.container, .pod_uid, .hostname]' <<<"$json")
[ "$got" = "[\"$s2\",\"$uid\",\"web-1\"]" ] || ps_fail "pod namespace: got '$got'"
jq -e --arg p "pid:${holders[0]}/" '[.namespaces[] | select(.netns | startswith($p))] | length == 0' <<<"$json" >/dev/null ||
	ps_fail "the docker holder is still labelled by pid"

# labelled BODY WHAT LINE...: the exposition BODY holds each LINE, and
# promtool (where installed) accepts it.
labelled() {
	local body=$1 what=$2 line
	shift 2
	for line in "$@"; do
		grep -qxF "$line" <<<"$body" ||
			ps_fail "$what: no line '$line' in: $(grep "$s1\|$s2" <<<"$body" | head -6)"
	done
	if command -v promtool >/dev/null; then
		promtool check metrics <<<"$body" || ps_fail "promtool rejects the $what"
	fi
}
prom=$("$PORTSTAT" --all-netns -f prometheus) || ps_fail "--all-netns -f prometheus failed"
labelled "$prom" "port metrics" \
	"portstat_tcp_sockets{netns=\"container:$s2\",container=\"$s2\",pod=\"web-1\",state=\"listen\"} 0" \
	"portstat_sample_complete{netns=\"container:$s1\",container=\"$s1\"} 1"
# The leak metrics label the same namespaces the same way.
prom=$("$PORTSTAT" leaks --all-netns -f prometheus 2>/dev/null)
labelled "$prom" "leak metrics" \
	"portstat_leak_status{netns=\"container:$s2\",container=\"$s2\",pod=\"web-1\"} 0" \
	"portstat_leak_sample_complete{netns=\"container:$s1\",container=\"$s1\"} 1"
text=$("$PORTSTAT" --all-netns) || ps_fail "--all-netns failed"
grep -qxF "# netns: container:$s2 (pod web-1)" <<<"$text" || ps_fail "text header: $(grep "$s2" <<<"$text")"
grep -qxF "# netns: container:$s1 (hostname web-0)" <<<"$text" || ps_fail "text header: $(grep "$s1" <<<"$text")"

# The container's process is replaced (a restart): same cgroup, new pid,
# new namespace: the same label.
old=${holders[0]}
kill -KILL "$old"
wait "$old" 2>/dev/null
hold "$dir1" web-0
json=$("$PORTSTAT" --all-netns -f json) || ps_fail "--all-netns -f json failed"
jq -e --arg l "container:$s1" '[.namespaces[] | select(.netns == $l and .hostname == "web-0")] | length == 1' <<<"$json" >/dev/null ||
	ps_fail "after the restart: $(jq -c '[.namespaces[].netns]' <<<"$json")"
echo "it_container: 1 passed, 0 failed"
