/* SPDX-License-Identifier: MIT */
/*
 * leaks_run: the `portstat leaks` command, driven from main().  Like
 * main.c's report loop, it is a top-level driver: it prints errors and
 * notes on stderr and returns the exit status (a monitoring-plugin status,
 * see leaks.h), never exits.
 */
#ifndef PORTSTAT_LEAKS_RUN_H
#define PORTSTAT_LEAKS_RUN_H

#include <signal.h>

struct config;

/*
 * leaks_run - take cfg->count samples (cfg->interval apart) of the stuck
 * sockets, render each, and return the status of the last one: 0 ok,
 * 1 warning, 2 critical, 3 unknown (no sample could be taken, a replay
 * error, an incomplete sample that is not already critical, or output that
 * could not be written: stdout failing ends the run, a failed --write
 * does not).  Each failure is one line on stderr and, as a monitoring
 * plugin's status line, "UNKNOWN: reason" on stdout (in the text format
 * always, in the others while nothing else was written there).
 * *@stop (set by a signal handler) ends the run after the current sample.
 */
int leaks_run(const struct config *cfg, volatile sig_atomic_t *stop);

#endif
