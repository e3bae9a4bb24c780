#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# completions.sh: the bash, zsh and fish completions (contrib/completions/)
# load in their shells and offer what portstat takes, and they name every
# option of src/cli.c's table and no other, so they cannot drift from it.
#   bash  sourced, _portstat called with COMP_WORDS/COMP_CWORD set (alone,
#         and after bash-completion, whose _filedir it then uses)
#   zsh   a real line editor on a pseudo-terminal (zsh_complete.zsh): the
#         line typed, TAB, the candidates compinit's system added
#   fish  complete -C "LINE"
# Each query's candidates must equal the expected set exactly.  A shell
# that is not installed is skipped, and the test then ends 77 (not all of
# it ran).
# -N completes the names under /run/netns, which any tool (or a hostile
# user with a container runtime) chooses.  As root the test runs in a
# private mount namespace with its own tmpfs on /run/netns, so other tests'
# namespaces do not change the answers and nothing leaks out, and lays
# names there that would run commands or break the line if a completion
# expanded them: none may run, plain ones must still complete.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=${SRC_DIR:-$(cd "$here/../.." && pwd)}
if [ "$(id -u)" = 0 ] && [ -z "${PORTSTAT_COMP_PRIVATE:-}" ] &&
	unshare -m --propagation private true 2>/dev/null; then
	export SRC_DIR=$src PORTSTAT_COMP_PRIVATE=1
	exec unshare -m --propagation private bash "$0" "$@"
fi
comp=$src/contrib/completions
cli=$src/src/cli.c
fixtures=$src/tests/fixtures
fail=0 skipped=()
tmp=$(mktemp -d /tmp/portstat-comp.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
# A command a hostile name smuggled in would run here; and the shells keep
# their state (fish makes its directories) here, not in the user's home.
cd "$tmp" || exit 1
export HOME=$tmp XDG_CONFIG_HOME=$tmp/config XDG_DATA_HOME=$tmp/data XDG_CACHE_HOME=$tmp/cache

bad() {
	echo "FAIL: $*" >&2
	fail=1
}

# --- drift: every option of the parser, and nothing else ------------------
mapfile -t longs < <(sed -n '/long_opts\[\] = {/,/^};/p' "$cli" |
		     sed -nE 's/^\s*\{ "([a-z0-9-]+)",.*/\1/p')
shorts=$(sed -nE 's/^static const char short_opts\[\] = "([^"]*)";/\1/p' "$cli" | tr -d ':')
[ "${#longs[@]}" -ge 20 ] || bad "read only ${#longs[@]} long options from $cli"
[ "${#shorts}" -ge 10 ] || bad "read only '$shorts' short options from $cli"
for o in "${longs[@]}"; do
	grep -qE -- "(^|[^a-z-])--$o([^a-z-]|$)" "$comp/portstat.bash" || bad "portstat.bash lacks --$o"
	grep -qE -- "(^|[^a-z-])--$o([^a-z-]|$)" "$comp/_portstat" || bad "_portstat lacks --$o"
	grep -qE -- "-l $o( |$)" "$comp/portstat.fish" || bad "portstat.fish lacks -l $o"
done
for ((i = 0; i < ${#shorts}; i++)); do
	o=${shorts:i:1}
	grep -qE -- "(^|[ (|'\"{])-$o([ |)'\"+,[]|$)" "$comp/portstat.bash" || bad "portstat.bash lacks -$o"
	grep -qE -- "(^|[ (|'\"{])-$o([ |)'\"+,[]|$)" "$comp/_portstat" || bad "_portstat lacks -$o"
	grep -qE -- "-s $o( |$)" "$comp/portstat.fish" || bad "portstat.fish lacks -s $o"
done
# The other way: an option a completion offers must exist.
for f in portstat.bash _portstat; do
	for o in $(grep -v '^\s*#' "$comp/$f" | grep -oE -- '(^|[^a-z-])--[a-z][a-z0-9-]*' | sed 's/.*--//' | sort -u); do
		[[ " ${longs[*]} " == *" $o "* ]] || bad "$f offers --$o, which src/cli.c does not take"
	done
done
for o in $(grep '^complete ' "$comp/portstat.fish" | grep -oE -- '-l [a-z][a-z0-9-]*' | sed 's/-l //' | sort -u); do
	[[ " ${longs[*]} " == *" $o "* ]] || bad "portstat.fish offers --$o, which src/cli.c does not take"
done
echo "# drift: ${#longs[@]} long and ${#shorts} short options in every file"

# --- the queries: LINE (completing its last word) and the expected set ------
# Words are space-separated; a trailing space completes an empty word.
queries=(
	"portstat --fo|--format"
	"portstat --format |text json csv prometheus"
	"portstat -f |text json csv prometheus"
	"portstat leaks -f |text json csv prometheus"
	"portstat -s clo|closed close-wait closing"
	"portstat --state close-wait,fin|close-wait,fin-wait-1 close-wait,fin-wait-2"
	"portstat leaks -s f|fin-wait-1 fin-wait-2"
	"portstat -s sy|syn-sent syn-recv synchronized"
	"portstat -s b|bucket big"
	"portstat -s listening,a|listening,all"
	"portstat --by |service local remote process cgroup"
	"portstat top --by |service local remote"
	"portstat leaks --by |service local remote process cgroup"
	"portstat leaks --all|--all-netns"
	"portstat --sort t|total time-wait"
	"portstat |report top leaks serve doctor"
	"portstat doctor -f |text json"
	"portstat doctor --c|--count --crit"
	"portstat doctor --a|--all-netns"
	"portstat doctor --re|--record --replay"
	"portstat doctor --replay $fixtures/doctor-acc|doctor-accept.rec"
	"portstat se|serve"
	"portstat serve --l|--leaks --listen"
	"portstat serve --m|--min-interval"
	"portstat le|leaks"
	"portstat leaks --w|--warn --warn-age --warn-growth --write"
	"portstat leaks --st|--state --state-file"
	"portstat --all|--all-netns"
	"portstat --replay $fixtures/sa|sample.rec sample.ss"
	"portstat --write $fixtures/rep|repeated.rec"
)
# top has no --format, --record or --write; the report no leaks thresholds.
absent=(
	"portstat top --|--format --record --write --warn"
	"portstat --|--warn --crit --warn-age --crit-age --warn-growth --crit-growth --state-file"
	"portstat serve --|--format --record --replay --write --interval --count"
	"portstat doctor --|--state --port --by --top --write --warn-age --version"
)

netns=no
if [ -n "${PORTSTAT_COMP_PRIVATE:-}" ] && mkdir -p /run/netns &&
	mount -t tmpfs -o size=64k,mode=0755 portstat-comp /run/netns; then
	netns=yes
	# The files need not be namespaces: completion only lists names.
	for name in pstest-comp-alpha pstest-comp-beta 'pstest-comp-$(touch pwned1)' \
		'pstest-comp-`touch pwned2`' $'pstest-comp-"q\'\\ x' $'pstest-comp-\e[2J\nline'; do
		: >"/run/netns/$name"
	done
	queries+=(
		"portstat -N pstest-comp-a|pstest-comp-alpha"
		"portstat top --netns pstest-comp-b|pstest-comp-beta"
		"portstat -N nosuch|"
	)
else
	echo "# not root or no private mount namespace: -N names not checked" >&2
fi

# Candidates, sorted, one per line; file names reduced to their last part
# (zsh shows the part after the typed directory, bash and fish the path).
norm() {
	sed -e 's/\t.*//' -e 's|.*/||' | grep -v '^$' | sort -u
}

bash_query() {
	local line=$1 setup=$2
	# shellcheck disable=SC2016 # expanded by the inner bash
	bash --norc --noprofile -c "$setup"'
		source "$1"
		read -ra COMP_WORDS <<<"$2"
		[[ $2 == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$2 COMP_POINT=${#2}
		COMPREPLY=()
		_portstat portstat "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$comp/portstat.bash" "$line"
}

zsh_query() {
	timeout 20 zsh -f "$here/zsh_complete.zsh" "$comp" "$1"
}

fish_query() {
	timeout 20 fish --no-config -c 'source $argv[1]; complete -C $argv[2]' "$comp/portstat.fish" "$1"
}

run_shell() {
	local sh=$1 q line want got
	for q in "${queries[@]}"; do
		line=${q%%|*} want=$(tr ' ' '\n' <<<"${q#*|}" | norm)
		got=$("${sh}_query" "$line" "${@:2}" | norm)
		[ "$got" = "$want" ] ||
			bad "$sh '$line': got [${got//$'\n'/ }], want [${want//$'\n'/ }]"
	done
	for q in "${absent[@]}"; do
		line=${q%%|*}
		got=$("${sh}_query" "$line" "${@:2}" | norm)
		[ -n "$got" ] || bad "$sh '$line': no candidates"
		for o in ${q#*|}; do
			grep -qx -- "$o" <<<"$got" && bad "$sh '$line' offers $o"
		done
	done
	if [ "$netns" = yes ]; then
		# Every name but the one with control characters, each one
		# candidate, and no command run.
		got=$("${sh}_query" "portstat -N pstest-comp-" "${@:2}" | norm)
		if [ "$(wc -l <<<"$got")" != 5 ] || ! grep -qx pstest-comp-alpha <<<"$got"; then
			bad "$sh 'portstat -N pstest-comp-': got [$got], want alpha, beta and the three quoted names"
		fi
		for f in pwned1 pwned2; do
			[ -e "$tmp/$f" ] && bad "$sh ran a command from a namespace's name ($f)"
			rm -f "$tmp/$f"
		done
	fi
	echo "# $sh: ${#queries[@]} queries, ${#absent[@]} exclusions checked"
}

# bash: alone, and after bash-completion (its _filedir, `complete -p`).
bash -n "$comp/portstat.bash" || bad "bash: portstat.bash does not parse"
run_shell bash ''
bc=/usr/share/bash-completion/bash_completion
if [ -r "$bc" ]; then
	run_shell bash "source $bc"
	[ "$(bash --norc --noprofile -c "source $bc; source $comp/portstat.bash; complete -p portstat")" = \
		'complete -F _portstat portstat' ] || bad "bash: complete -p portstat"
else
	skipped+=(bash-completion)
fi

if command -v zsh >/dev/null && zsh -f -c 'zmodload zsh/zpty' 2>/dev/null; then
	zsh -n "$comp/_portstat" || bad "zsh: _portstat does not parse"
	[ "$(zsh -f -c "fpath=($comp \$fpath); autoload -U compinit; compinit -u -D; print -r -- \$_comps[portstat]")" = _portstat ] ||
		bad "zsh: compinit does not bind _portstat to portstat"
	run_shell zsh
else
	skipped+=(zsh)
fi

if command -v fish >/dev/null; then
	fish --no-execute "$comp/portstat.fish" || bad "fish: portstat.fish does not parse"
	run_shell fish
else
	skipped+=(fish)
fi

[ "$fail" = 0 ] || exit 1
if [ "${#skipped[@]}" -gt 0 ]; then
	echo "SKIP: not installed: ${skipped[*]} (scripts/setup.sh installs them)" >&2
	exit 77
fi
echo "completions: all checks passed"
