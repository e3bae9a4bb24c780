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

struct collector;
struct doctor_ns;

/* The namespace's sysctl and netstat files doctor reads at every sample,
 * opened once inside the namespace (-1: could not be opened, a fact
 * unknown).  For the dashboard's doctor, which samples through its own
 * collector. */
#define DOCTOR_CTX_FILES	8

struct doctor_ctx {
	int fd[DOCTOR_CTX_FILES];
};

/*
 * doctor_run - run `portstat doctor` with @argv (argv[1] is "doctor"):
 * cfg->count samples, each rendered; returns the status of the last one
 * (0 ok, 1 warning, 2 critical, 3 unknown: a usage error, no sample, an
 * incomplete one that is not already critical, or output that could not
 * be written).  *@stop (set by a signal handler) ends a repeating run.
 */
int doctor_run(int argc, char *argv[], volatile sig_atomic_t *stop);

/*
 * doctor_ctx_open - open @x's files inside @c's namespace (the host-wide
 * tcp_max_orphans here).  Returns 0, or collector_run_in()'s -errno (a
 * replay: -ENOTSUP) with every fd -1.
 */
int doctor_ctx_open(struct doctor_ctx *x, struct collector *c);

/* doctor_ctx_read - the namespace's facts now, as `doctor` reads them. */
void doctor_ctx_read(const struct doctor_ctx *x, struct doctor_ns *ns);

/* doctor_ctx_close - close what is open; leaves every fd -1. */
void doctor_ctx_close(struct doctor_ctx *x);

#endif
