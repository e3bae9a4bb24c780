/* SPDX-License-Identifier: MIT */
/*
 * doctor_run: the `portstat doctor` command, driven from main().  A
 * top-level driver like leaks_run: it parses its command line, prints
 * errors on stderr and, as a monitoring plugin, "UNKNOWN: reason" on
 * stdout, and returns the exit status; it never exits.
 */
#ifndef PORTSTAT_DOCTOR_RUN_H
#define PORTSTAT_DOCTOR_RUN_H

#include <signal.h>

/*
 * doctor_run - run `portstat doctor` with @argv (argv[1] is "doctor"):
 * cfg->count samples, each rendered; returns the status of the last one
 * (0 ok, 1 warning, 2 critical, 3 unknown: a usage error, no sample, an
 * incomplete one that is not already critical, or output that could not
 * be written).  *@stop (set by a signal handler) ends a repeating run.
 */
int doctor_run(int argc, char *argv[], volatile sig_atomic_t *stop);

#endif
