# SPDX-License-Identifier: MIT
# portstat.bash: bash completion for portstat(8), installed as
# .../bash-completion/completions/portstat (loaded on first use by
# bash-completion; or `source` it).  It completes the command word (report,
# top, leaks, serve, doctor), the options each command takes (src/cli.c's table; tests/pkg
# checks that none is missing), and the values of --format, --by, --sort,
# --state (comma-separated lists), --netns (names under /run/netns, or a
# path) and the file options.  Self-contained: it uses bash-completion's
# helpers only where they are loaded.
# shellcheck shell=bash disable=SC2207 # compgen -W over fixed words, no spaces

_portstat_files()
{
	if declare -F _filedir >/dev/null; then
		_filedir
	else
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	fi
}

_portstat()
{
	local cur prev cmd=report opts words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
	local states="established syn-sent syn-recv fin-wait-1 fin-wait-2
		time-wait closed close-wait last-ack listening closing"
	local groups="all connected synchronized bucket big"
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=
	((cword > 0)) && prev=${COMP_WORDS[cword - 1]}
	# --opt=value: '=' is a word of its own in COMP_WORDS.
	if [[ $cur == "=" ]]; then
		cur=
	elif [[ $prev == "=" ]] && ((cword > 1)); then
		prev=${COMP_WORDS[cword - 2]}
	fi
	case ${words[1]-} in
	report | top | leaks | serve | doctor) cmd=${words[1]} ;;
	esac

	case $prev in
	-f | --format)
		if [[ $cmd == doctor ]]; then
			COMPREPLY=($(compgen -W "text json" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "text json csv prometheus" -- "$cur"))
		fi
		return
		;;
	-s | --state)
		local list
		if [[ $cmd == leaks ]]; then
			list="close-wait fin-wait-1 fin-wait-2 last-ack closing"
		else
			list="$states $groups"
		fi
		# A comma-separated list: complete its last element.
		local head=
		[[ $cur == *,* ]] && head=${cur%,*},
		COMPREPLY=($(compgen -P "$head" -W "$list" -- "${cur##*,}"))
		return
		;;
	--by)
		if [[ $cmd == report || $cmd == leaks ]]; then
			COMPREPLY=($(compgen -W "service local remote process cgroup" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "service local remote" -- "$cur"))
		fi
		return
		;;
	--sort)
		COMPREPLY=($(compgen -W "total port $states" -- "$cur"))
		return
		;;
	-N | --netns)
		if [[ $cur == /* || $cur == .* ]]; then
			_portstat_files
		else
			# Anyone who can name a namespace chooses these names: they
			# are matched as plain text (compgen -W would expand them),
			# inserted quoted, and skipped if they hold control characters.
			local n name quoted
			for n in /run/netns/*; do
				name=${n##*/}
				[[ -e $n && $name == "$cur"* && $name != *[[:cntrl:]]* ]] || continue
				printf -v quoted '%q' "$name"
				COMPREPLY+=("$quoted")
			done
		fi
		return
		;;
	--record | --replay | --write | --state-file)
		_portstat_files
		return
		;;
	-p | --port | --top | -i | --interval | -c | --count | --warn | --crit | \
		--warn-age | --crit-age | --warn-growth | --crit-growth | --listen | \
		--min-interval)
		return # a number, a list or a duration: nothing to offer
		;;
	esac

	if ((cword == 1)) && [[ $cur != -* ]]; then
		COMPREPLY=($(compgen -W "report top leaks serve doctor" -- "$cur"))
		return
	fi
	case $cmd in
	report)
		opts="-f --format -s --state -p --port -4 -6 --by --sort --top
		      -H --no-header -n --numeric -N --netns --all-netns -i --interval -c --count
		      --record --replay --write -h --help -V --version"
		;;
	top)
		# top draws the dashboard: no --format, --record or --write.
		opts="-s --state -p --port -4 -6 --by --sort -n --numeric
		      -N --netns --all-netns -i --interval -c --count --replay
		      --no-mouse -h --help -V --version"
		;;
	leaks)
		opts="-s --state --warn --crit --warn-age --crit-age --warn-growth
		      --crit-growth --state-file -i --interval
		      -f --format -p --port -4 -6 --by --top -H --no-header
		      -N --netns --all-netns -c --count --record --replay --write
		      -h --help -V --version"
		;;
	serve)
		# The exporter: no --format, --record, --replay or --write.
		opts="--listen --min-interval -s --state -p --port -4 -6 --by --top
		      -N --netns --all-netns --leaks -h --help -V --version"
		;;
	doctor)
		# --warn/--crit take CHECK=VALUE (accept-queue, ephemeral,
		# server-close, close-wait).
		opts="-f --format -N --netns --all-netns --warn --crit -i --interval
		      -c --count --record --replay -h --help"
		;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
	fi
}
complete -F _portstat portstat
