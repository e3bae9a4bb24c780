# SPDX-License-Identifier: MIT
# portstat.fish: fish completion for portstat(8), installed in
# fish/vendor_completions.d and loaded on first use.  It completes the
# command word (report, top, leaks, serve, doctor), the options each command takes
# (src/cli.c's table; tests/pkg checks that none is missing), and the values
# of --format, --by, --sort, --state (comma-separated lists), --netns (names
# under /run/netns, or a path) and the file options.

# The command word, if one was given (it can only be the first argument).
function __portstat_cmd
    set -l words (commandline -opc)
    if set -q words[2]; and contains -- $words[2] report top leaks serve doctor
        echo $words[2]
    else
        echo report
    end
end

function __portstat_is
    test (__portstat_cmd) = $argv[1]
end

function __portstat_not
    test (__portstat_cmd) != $argv[1]
end

# True before the first argument: where the command word may go.
function __portstat_first
    test (count (commandline -opc)) -eq 1
end

# --state LIST: the list typed so far, plus each state or group.
function __portstat_states
    set -l token (commandline -ct)
    set -l head ''
    if string match -q '*,*' -- $token
        set head (string replace -r '[^,]*$' '' -- $token)
    end
    set -l list established syn-sent syn-recv fin-wait-1 fin-wait-2 time-wait \
        closed close-wait last-ack listening closing \
        all connected synchronized bucket big
    if __portstat_is leaks
        set list close-wait fin-wait-1 fin-wait-2 last-ack closing
    end
    for s in $list
        echo $head$s
    end
end

# --netns: a name under /run/netns, or a path such as /proc/PID/ns/net.
function __portstat_netns
    set -l token (commandline -ct)
    if string match -qr '^[/.]' -- $token
        __fish_complete_path $token
    else
        # Anyone who can name a namespace chooses these names: printed as
        # they are (fish quotes them on insertion), one per line, so ones
        # with control characters (a newline would make two) are left out.
        for n in /run/netns/*
            string match -qr '[[:cntrl:]]' -- $n; and continue
            string replace -r '^.*/' '' -- $n
        end
    end
end

set -l sorts total port established syn-sent syn-recv fin-wait-1 \
    fin-wait-2 time-wait closed close-wait last-ack listening closing

complete -c portstat -f
complete -c portstat -n __portstat_first -a report -d 'Sockets per port and state (the default)'
complete -c portstat -n __portstat_first -a top -d 'Live dashboard'
complete -c portstat -n __portstat_first -a leaks -d 'Who holds CLOSE_WAIT sockets, since when'
complete -c portstat -n __portstat_first -a serve -d 'Prometheus exporter over HTTP'
complete -c portstat -n __portstat_first -a doctor -d 'Diagnose TCP pathologies: accept queues, ports, TIME_WAIT'

complete -c portstat -s f -l format -x -n '__portstat_is report' -a 'text json csv prometheus' -d 'Output format'
complete -c portstat -s f -l format -x -n '__portstat_is leaks' -a 'text json csv prometheus' -d 'Output format'
complete -c portstat -s f -l format -x -n '__portstat_is doctor' -a 'text json' -d 'Output format'
complete -c portstat -s s -l state -x -n '__portstat_not doctor' -a '(__portstat_states)' -d 'Count only these states'
complete -c portstat -s p -l port -x -n '__portstat_not doctor' -d 'Only these ports (80,443,8000-8100)'
complete -c portstat -s 4 -n '__portstat_not doctor' -d 'IPv4 only'
complete -c portstat -s 6 -n '__portstat_not doctor' -d 'IPv6 only'
complete -c portstat -l by -x -n '__portstat_is report; or __portstat_is leaks' -a 'service local remote process cgroup' -d 'What a row is'
complete -c portstat -l by -x -n '__portstat_is top; or __portstat_is serve' -a 'service local remote' -d 'What a row is'
complete -c portstat -l sort -x -n 'not __portstat_is leaks; and not __portstat_is serve; and not __portstat_is doctor' -a "$sorts" -d 'Sort rows by'
complete -c portstat -l top -x -n '__portstat_not doctor' -d 'Show N rows, the rest summed as other'
complete -c portstat -s H -l no-header -n 'not __portstat_is serve; and not __portstat_is doctor' -d 'No column header line'
complete -c portstat -s N -l netns -x -a '(__portstat_netns)' -d 'Read that network namespace'
complete -c portstat -l all-netns -d 'Every network namespace, each labelled'
complete -c portstat -s i -l interval -x -n '__portstat_not serve' -d 'Sample every SECS seconds'
complete -c portstat -s c -l count -x -n '__portstat_not serve' -d 'Stop after N samples'
complete -c portstat -l record -r -F -n 'not __portstat_is top; and not __portstat_is serve; and not __portstat_is doctor' -d 'Save the raw netlink replies to FILE'
complete -c portstat -l replay -r -F -n 'not __portstat_is serve; and not __portstat_is doctor' -d 'Read a recording instead of the kernel'
complete -c portstat -l write -r -F -n 'not __portstat_is top; and not __portstat_is serve; and not __portstat_is doctor' -d 'Replace FILE atomically with each sample'
complete -c portstat -l warn -x -n '__portstat_is leaks' -d 'Warning above N sockets in a group'
complete -c portstat -l crit -x -n '__portstat_is leaks' -d 'Critical above N sockets in a group'
complete -c portstat -l warn-age -x -n '__portstat_is leaks' -d 'Warning when the oldest is older (90, 5m, 2h, 1d)'
complete -c portstat -l warn -x -n '__portstat_is doctor' -d 'Warning level of a check: CHECK=VALUE (ephemeral=50%)'
complete -c portstat -l crit -x -n '__portstat_is doctor' -d 'Critical level of a check: CHECK=VALUE (close-wait=200)'
complete -c portstat -l record -r -F -n '__portstat_is doctor' -d 'Also save the samples and their kernel context'
complete -c portstat -l replay -r -F -n '__portstat_is doctor' -d 'Diagnose a recording instead'
complete -c portstat -l crit-age -x -n '__portstat_is leaks' -d 'Critical when the oldest is older (90, 5m, 2h, 1d)'
complete -c portstat -l warn-growth -x -n '__portstat_is leaks' -d 'Warning when a group grows by more than N a minute'
complete -c portstat -l crit-growth -x -n '__portstat_is leaks' -d 'Critical when a group grows by more than N a minute'
complete -c portstat -l state-file -r -F -n '__portstat_is leaks' -d 'Keep first-seen times and counts between runs'
complete -c portstat -l listen -x -n '__portstat_is serve' -d 'Where to listen (ADDR:PORT, :PORT, [V6]:PORT)'
complete -c portstat -l min-interval -x -n '__portstat_is serve' -d 'Least time between two samples (seconds)'
complete -c portstat -l leaks -n '__portstat_is serve' -d 'Leak metrics too'
complete -c portstat -s n -l numeric -n '__portstat_is report; or __portstat_is top' -d 'No SERVICE column'
complete -c portstat -l no-mouse -n '__portstat_is top' -d 'Leave the mouse to the terminal'
complete -c portstat -s h -l help -d 'Show the help'
complete -c portstat -s V -l version -n '__portstat_not doctor' -d 'Show the version'
