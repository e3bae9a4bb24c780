/* SPDX-License-Identifier: MIT */
/*
 * split: one sample taken by several threads at once.  The kernel serves
 * concurrent sock_diag dumps in parallel, so each thread dumps one share of
 * the table (a kernel filter program, see bytecode.h) through its own
 * netlink socket into its own table, and the tables are merged.  Counts are
 * identical to a single dump's; only the wall time changes.
 *
 * Listeners are dumped first, on their own (a walk of the listening hash
 * only), so every share classifies with the full listening set.  Shares
 * are balanced from the previous sample's distribution of max(sport, dport).
 */
#ifndef PORTSTAT_SPLIT_H
#define PORTSTAT_SPLIT_H

#include <stddef.h>

struct collector;
struct table;
struct table_filter;
struct sampler_info;
struct sampler_tap;
struct split;

/*
 * A second consumer of a split sample (the dashboard's doctor), one tap
 * per share: @share(@arg, 0) is the whole sample's (it sees the listeners
 * too, and is begun first), @share(@arg, i) share i's, begun once share 0
 * holds the listeners; after every share's dump, @merge(@arg, i) folds
 * share i (i > 0) into share 0's.  Each returns 0 or -errno.
 */
struct split_tap {
	const struct sampler_tap *(*share)(void *arg, unsigned i);
	int (*merge)(void *arg, unsigned i);
	void *arg;
};

/* Up to this many shares; more threads than this stop paying on the
 * machines we measured (the kernel's hash walk is repeated per share). */
#define SPLIT_MAX_SHARES	8

/* Below this many sockets (per /proc/net/sockstat) a single dump is used:
 * the threads and the extra walks of the hash would cost more than they
 * save. */
#define SPLIT_MIN_SOCKETS	50000ul

/*
 * split_new - a splitter for namespace @netns (as collector_open_live();
 * borrowed for the splitter's life) counting what @f selects.  @shares: 0
 * picks the number of usable CPUs (capped at SPLIT_MAX_SHARES); 1 never
 * splits.  @min_sockets: split only from this many sockets (0 for always).
 * Nothing is opened here: the shares' sockets are opened by the first
 * sample that splits, and a share that cannot be opened then (a low fd
 * limit) is simply not used.  Returns 0 or -ENOMEM with @err set.
 */
int split_new(struct split **out, const char *netns, const struct table_filter *f,
	      unsigned shares, unsigned long min_sockets, char *err, size_t errlen);

/*
 * split_run - like sampler_run(): one sample into @t, using @c for the
 * listeners and the first share.  Falls back to sampler_run() when the
 * namespace is small, only one share is configured, or no other share's
 * socket could be opened.
 */
int split_run(struct split *sp, struct collector *c, struct table *t,
	      struct sampler_info *info);

/*
 * split_run_tap - split_run() whose dumps also feed @tap: they ask for
 * every state of both families (each table still counts what its filter
 * selects).  Falls back to sampler_run_tap() with share 0's tap.
 */
int split_run_tap(struct split *sp, struct collector *c, struct table *t,
		  const struct split_tap *tap, struct sampler_info *info);

/*
 * split_env - the split settings for split_new() from PORTSTAT_SPLIT: unset,
 * as many shares as usable CPUs from SPLIT_MIN_SOCKETS sockets; N, exactly
 * N shares (1: never split) whatever the size.  Returns 0, or -EINVAL with
 * a message in @err for a value that is not 1 to SPLIT_MAX_SHARES.
 */
int split_env(unsigned *shares, unsigned long *min_sockets, char *err, size_t errlen);

/* split_delete - accepts NULL. */
void split_delete(struct split *sp);

#endif
