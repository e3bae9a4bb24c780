/*
 * sampler: the dumps of one sample and their order.
 *
 * Direction needs every listener of a port before any other socket on it.
 * The kernel dumps a family's listening hash before its established hash
 * (inet_diag/tcp_diag dump listeners first, then ehash), so one pass is
 * enough if LISTEN is always in the state mask and IPv6 goes first: a
 * dual-stack IPv6 listener takes IPv4 connections, and those only appear in
 * the IPv4 dump.  Asking for LISTEN costs a walk of the listening hash only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "collector.h"
#include "diag.h"
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

struct once_arg {
	struct collector *c;
	struct table *t;
};

static int sample_once(void *arg, struct sampler_info *info)
{
	struct collector *c = ((struct once_arg *)arg)->c;
	struct table *t = ((struct once_arg *)arg)->t;
	const struct table_filter *f = table_filter(t);
	static const int families[] = { AF_INET6, AF_INET };
	int ret;

	table_clear(t);
	ret = collector_sample_begin(c, &info->time);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		int fam = families[i];
		bool wanted = fam == AF_INET ? f->ipv4 : f->ipv6;
		uint32_t mask = TCP_STATE_BIT(TCP_STATE_LISTEN) | (wanted ? f->states : 0);

		/* IPv4 listeners never decide an IPv6 socket's direction. */
		if (!wanted && fam == AF_INET)
			continue;
		ret = collector_dump(c, fam, mask, add_cb, t);
		if (ret < 0)
			return ret;
	}
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
