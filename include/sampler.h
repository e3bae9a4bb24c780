/* SPDX-License-Identifier: MIT */
/*
 * sampler: one consistent sample of the kernel's TCP tables into a table.
 * It decides which dumps a sample needs, in which order, and retries a
 * sample the kernel reports as interrupted.
 */
#ifndef PORTSTAT_SAMPLER_H
#define PORTSTAT_SAMPLER_H

#include <stdbool.h>
#include <time.h>

#include "collector.h"

struct owners;
struct table;
struct table_filter;

/* Live samples are retried this many times in all when a dump is
 * interrupted or loses messages. */
#define SAMPLER_ATTEMPTS	3

struct sampler_info {
	struct timespec time;	/* wall-clock start of the sample */
	double cost_ms;		/* how long the sample took (monotonic) */
	unsigned attempts;	/* dumps begun, 1 when nothing was retried */
	unsigned shares;	/* parallel dumps the sample was split into (1: none) */
	bool complete;		/* false: the table is partial, see note */
	char note[512];		/* why the sample is incomplete */
};

/*
 * sampler_run - clear @t and fill it with one sample from @c, counting what
 * the table's filter selects.
 * Returns 0 with info->complete telling whether the table is whole (a dump
 * still interrupted after SAMPLER_ATTEMPTS, or an interrupted dump in a
 * replay, leaves it partial and says why in info->note); -ENODATA when a
 * replay has no more samples; or a negative errno when there is no table to
 * show (collector_error() says why).
 */
int sampler_run(struct collector *c, struct table *t, struct sampler_info *info);

/*
 * sampler_begin - collector_sample_begin() for a sample that fills @t,
 * and tell @t the ephemeral port range of the sample's namespace (the
 * collector's, live or recorded; Linux's default when it has none), which
 * the direction of sockets on ports without listener depends on.  Every
 * way of filling a table from a collector begins its sample here.
 * Returns what collector_sample_begin() returns.
 */
int sampler_begin(struct collector *c, struct table *t, struct timespec *when);

/*
 * sampler_dump - the dumps of one sample for what @f selects, in the order
 * that classifies in one pass (see sampler.c), with LISTEN always asked
 * for; each socket goes to @cb.  Between collector_sample_begin() and
 * collector_sample_end().  Returns 0 or collector_dump()'s error.
 */
int sampler_dump(struct collector *c, const struct table_filter *f,
		 collector_cb cb, void *data);

/*
 * sampler_retry - the retry policy of sampler_run() around any way of
 * taking one sample: @once fills the table and info->time and returns 0 or
 * a negative errno (-EINTR/-ENOBUFS are retried on live collectors).
 */
int sampler_retry(struct collector *c, struct sampler_info *info,
		  int (*once)(void *arg, struct sampler_info *info), void *arg);

/*
 * A second consumer of a sample's dump (the dashboard's doctor): @begin
 * runs at the start of each attempt, once the sample has begun on the
 * collector (0 or -errno), and @add gets every socket the dump returns,
 * after the table took it.
 */
struct sampler_tap {
	int (*begin)(void *data, struct collector *c);
	collector_cb add;
	void *data;
};

/*
 * sampler_run_tap - sampler_run() whose one dump also feeds @tap: the
 * dump asks for every state of both families (a replay: of the families
 * the table's filter asks for, which the recording holds), which the tap
 * needs; the table still counts only what its filter selects.  The same
 * returns.
 */
int sampler_run_tap(struct collector *c, struct table *t, const struct sampler_tap *tap,
		    struct sampler_info *info);

/*
 * sampler_run_owners - sampler_run() that also counts what the table
 * counted per owner into @o (cleared first), then resolves the owners
 * (owners_resolve() with /proc and @cgroup_root).  The same returns, and
 * -ENOMEM.
 */
int sampler_run_owners(struct collector *c, struct table *t, struct owners *o,
		       const char *cgroup_root, struct sampler_info *info);

#endif
