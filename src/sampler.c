/* SPDX-License-Identifier: MIT */
/*
 * sampler: the dumps of one sample and their order.
 *
 * Direction needs every listener of a port before any other socket on it.
 * The kernel dumps the listening hash before the established hash, so one
 * pass is enough if LISTEN is always in the state mask.  Both families are
 * read in one dump (one walk of the kernel's tables instead of two, and
 * all listeners of both families come first).  With one family wanted,
 * that family's dump is the last: a dual-stack IPv6 listener takes IPv4
 * connections, so for -4 the IPv6 listeners are read first on their own
 * (a walk of the listening hash only).
 *
 * Without a listener, direction depends on the namespace's ephemeral
 * range, which belongs to the sample (it can change between samples, and
 * a replay has the recorded one): sampler_begin() hands it to the table.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "collector.h"
#include "diag.h"
#include "owners.h"
#include "sampler.h"
#include "table.h"
#include "tcp_state.h"

static int add_cb(const struct sock_rec *rec, void *data)
{
	return table_add(data, rec);
}

static double elapsed_ms(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

int sampler_begin(struct collector *c, struct table *t, struct timespec *when)
{
	uint16_t lo = TABLE_EPHEMERAL_LO, hi = TABLE_EPHEMERAL_HI;
	int ret = collector_sample_begin(c, when);

	if (ret < 0)
		return ret;
	/* Unknown (an old recording, no /proc/sys): the defaults stay. */
	collector_port_range(c, &lo, &hi);
	table_set_ephemeral(t, lo, hi);
	return 0;
}

int sampler_dump(struct collector *c, const struct table_filter *f,
		 collector_cb cb, void *data)
{
	uint32_t mask = TCP_STATE_BIT(TCP_STATE_LISTEN) | f->states;
	int ret;

	if (f->ipv4 && f->ipv6)
		return collector_dump(c, AF_UNSPEC, mask, cb, data);
	if (f->ipv6)	/* IPv4 listeners never classify IPv6 sockets */
		return collector_dump(c, AF_INET6, mask, cb, data);
	ret = collector_dump(c, AF_INET6, TCP_STATE_BIT(TCP_STATE_LISTEN), cb, data);
	return ret < 0 ? ret : collector_dump(c, AF_INET, mask, cb, data);
}

struct once_arg {
	struct collector *c;
	struct table *t;
};

static int sample_once(void *arg, struct sampler_info *info)
{
	struct collector *c = ((struct once_arg *)arg)->c;
	struct table *t = ((struct once_arg *)arg)->t;
	int ret;

	table_clear(t);
	ret = sampler_begin(c, t, &info->time);
	if (ret == 0)
		ret = sampler_dump(c, table_filter(t), add_cb, t);
	if (ret < 0)
		return ret;
	return collector_sample_end(c);
}

int sampler_retry(struct collector *c, struct sampler_info *info,
		  int (*once)(void *arg, struct sampler_info *info), void *arg)
{
	struct timespec t0, t1;
	int ret;

	memset(info, 0, sizeof(*info));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		info->attempts++;
		ret = once(arg, info);
		if (ret != -EINTR && ret != -ENOBUFS)
			break;
		if (collector_is_replay(c) || info->attempts >= SAMPLER_ATTEMPTS) {
			/* What was counted is kept and shown, marked partial:
			 * an operator mid-incident still wants the numbers. */
			snprintf(info->note, sizeof(info->note), "%s (after %u attempt%s)",
				 collector_error(c), info->attempts,
				 info->attempts == 1 ? "" : "s");
			clock_gettime(CLOCK_MONOTONIC, &t1);
			info->cost_ms = elapsed_ms(&t0, &t1);
			/* Keep the partial sample in a recording too, so the
			 * replay shows the same warning. */
			ret = collector_sample_end(c);
			return ret < 0 ? ret : 0;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	info->cost_ms = elapsed_ms(&t0, &t1);
	if (ret < 0)
		return ret;
	info->complete = true;
	return 0;
}

int sampler_run(struct collector *c, struct table *t, struct sampler_info *info)
{
	struct once_arg arg = { .c = c, .t = t };

	return sampler_retry(c, info, sample_once, &arg);
}

/* The tap sees every socket: the dump's filter widens to every state
 * and (live) both families, the table filters for itself (table_add()). */
struct tap_arg {
	struct collector *c;
	struct table *t;
	const struct sampler_tap *tap;
};

static int tap_cb(const struct sock_rec *rec, void *data)
{
	struct tap_arg *a = data;
	int ret = table_add(a->t, rec);

	return ret < 0 ? ret : a->tap->add(rec, a->tap->data);
}

static int tap_once(void *arg, struct sampler_info *info)
{
	struct tap_arg *a = arg;
	struct table_filter all = *table_filter(a->t);
	int ret;

	all.states = TCP_STATE_ALL_MASK;
	/* A replay holds the families it was recorded with (a -6
	 * recording has no IPv4 dump to serve): the tap sees those. */
	if (!collector_is_replay(a->c))
		all.ipv4 = all.ipv6 = true;
	table_clear(a->t);
	ret = sampler_begin(a->c, a->t, &info->time);
	if (ret == 0)
		ret = a->tap->begin(a->tap->data, a->c);
	if (ret == 0)
		ret = sampler_dump(a->c, &all, tap_cb, a);
	if (ret < 0)
		return ret;
	return collector_sample_end(a->c);
}

int sampler_run_tap(struct collector *c, struct table *t, const struct sampler_tap *tap,
		    struct sampler_info *info)
{
	struct tap_arg arg = { .c = c, .t = t, .tap = tap };

	return sampler_retry(c, info, tap_once, &arg);
}

/* --by process / --by cgroup: the table still classifies and filters (a
 * socket counts for its owner when it would count for a port), and what
 * it counted goes to the owners too. */
struct owners_arg {
	struct collector *c;
	struct table *t;
	struct owners *o;
};

static int owners_cb(const struct sock_rec *rec, void *data)
{
	struct owners_arg *a = data;
	int ret = table_add(a->t, rec);

	return ret > 0 ? owners_add(a->o, rec) : ret;
}

static int owners_once(void *arg, struct sampler_info *info)
{
	struct owners_arg *a = arg;
	int ret;

	table_clear(a->t);
	owners_clear(a->o);
	ret = sampler_begin(a->c, a->t, &info->time);
	if (ret == 0)
		ret = sampler_dump(a->c, table_filter(a->t), owners_cb, a);
	if (ret < 0)
		return ret;
	return collector_sample_end(a->c);
}

int sampler_run_owners(struct collector *c, struct table *t, struct owners *o,
		       const char *cgroup_root, struct sampler_info *info)
{
	struct owners_arg arg = { .c = c, .t = t, .o = o };
	struct timespec t0, t1;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = sampler_retry(c, info, owners_once, &arg);
	if (ret < 0)
		return ret;
	ret = owners_resolve(o, NULL, cgroup_root);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	info->cost_ms = elapsed_ms(&t0, &t1);
	return ret;
}
