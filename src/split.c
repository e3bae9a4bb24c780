/* SPDX-License-Identifier: MIT */
/*
 * split: parallel sampling.  See split.h for why; the threads live for one
 * sample (creating two threads costs microseconds against a dump that is
 * worth splitting only when it takes tens of milliseconds).
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bytecode.h"
#include "collector.h"
#include "diag.h"
#include "sampler.h"
#include "split.h"
#include "table.h"
#include "tcp_state.h"

/* Histogram of max(sport, dport) in bins of 64 ports. */
#define SPLIT_BIN_SHIFT	6
#define SPLIT_BINS	(65536 >> SPLIT_BIN_SHIFT)

struct share {
	struct collector *c;	/* share 0 borrows the caller's */
	struct table *t;	/* share 0 fills the caller's */
	const struct table_filter *f;	/* borrowed from the split */
	const struct sampler_tap *tap;	/* the share's, or NULL */
	uint32_t lo, hi;
	unsigned char bc[BYTECODE_MAX];
	size_t bclen;
	uint32_t hist[SPLIT_BINS];
	int ret;
	pthread_t tid;
};

struct split {
	unsigned nshares;
	unsigned nopen;		/* shares with a collector and table (share 0: the caller's) */
	bool open_failed;	/* opening more failed once: do not try again */
	const char *netns;	/* borrowed, as collector_open_live() takes it */
	unsigned long min_sockets;
	struct table_filter f;
	struct share shares[SPLIT_MAX_SHARES];
	uint64_t hist[SPLIT_BINS];	/* the last split sample's */
	uint64_t hist_total;
	/* per sample */
	struct collector *c;
	struct table *t;
	const struct split_tap *tap;	/* NULL: none */
};

/* The CPU time a cgroup v2 quota (cpu.max of our cgroup or an ancestor)
 * allows, in whole CPUs rounded up; 0 when there is no quota. */
static unsigned quota_cpus(void)
{
	char line[512], path[600], *cg = NULL;
	unsigned best = 0;
	FILE *f = fopen("/proc/self/cgroup", "re");

	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "0::", 3) == 0) {
			cg = line + 3;
			cg[strcspn(cg, "\n")] = '\0';
			break;
		}
	if (f)
		fclose(f);
	while (cg && *cg == '/') {
		unsigned long quota, period;
		FILE *m;
		char *slash;

		snprintf(path, sizeof(path), "/sys/fs/cgroup%s/cpu.max", cg);
		m = fopen(path, "re");
		if (m && fscanf(m, "%lu %lu", &quota, &period) == 2 && period) {
			unsigned n = (unsigned)((quota + period - 1) / period);

			if (!best || n < best)
				best = n;
		}
		if (m)
			fclose(m);
		slash = strrchr(cg, '/');
		if (!slash || slash == cg)
			break;
		*slash = '\0';
	}
	return best;
}

/* CPUs we may run on (affinity), and may use (a cgroup quota). */
static unsigned usable_cpus(void)
{
	cpu_set_t set;
	unsigned n = 1, q = quota_cpus();

	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		n = (unsigned)CPU_COUNT(&set);
	return q && q < n ? q : n;
}

int split_new(struct split **out, const char *netns, const struct table_filter *f,
	      unsigned nshares, unsigned long min_sockets, char *err, size_t errlen)
{
	struct split *sp = calloc(1, sizeof(*sp));

	if (!sp) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (nshares == 0)
		nshares = usable_cpus();
	if (nshares > SPLIT_MAX_SHARES)
		nshares = SPLIT_MAX_SHARES;
	sp->nshares = nshares;
	sp->nopen = 1;
	sp->netns = netns;
	sp->min_sockets = min_sockets;
	sp->f = *f;
	*out = sp;
	return 0;
}

/* The shares' sockets and tables, opened when a sample first splits: a
 * namespace too small to split never costs their file descriptors (four
 * each), so the report runs at a low fd limit.  When they cannot all be
 * opened (EMFILE, ENFILE, ENOMEM, or anything else), the sample splits
 * into the shares that could, or not at all: the counts are the same,
 * only the wall time differs, so that is no error. */
static void shares_open(struct split *sp)
{
	char err[512];

	while (!sp->open_failed && sp->nopen < sp->nshares) {
		struct share *sh = &sp->shares[sp->nopen];

		if (!sh->t && !(sh->t = table_new(&sp->f))) {
			sp->open_failed = true;
			break;
		}
		if (collector_open_live(&sh->c, sp->netns, err, sizeof(err)) < 0) {
			sh->c = NULL;
			sp->open_failed = true;
			break;
		}
		sp->nopen++;
	}
	if (sp->open_failed)
		sp->nshares = sp->nopen;
}

void split_delete(struct split *sp)
{
	if (!sp)
		return;
	for (unsigned i = 1; i < SPLIT_MAX_SHARES; i++) {
		collector_close(sp->shares[i].c);
		table_delete(sp->shares[i].t);
	}
	free(sp);
}

/* Share boundaries: equal counts of the last sample's sockets, or, before
 * there is one, equal slices of the namespace's ephemeral port range, where
 * the larger port of almost every connection lies. */
static void split_bounds(const struct split *sp, uint32_t *bounds)
{
	unsigned n = sp->nshares;
	uint16_t lo = 32768, hi = 60999;	/* Linux's default range */

	bounds[0] = 0;
	bounds[n] = 65536;
	if (sp->hist_total == 0) {
		collector_port_range(sp->c, &lo, &hi);
		for (unsigned k = 1; k < n; k++)
			bounds[k] = lo + k * ((uint32_t)hi + 1 - lo) / n;
		return;
	}
	uint64_t cum = 0;
	unsigned k = 1;

	for (uint32_t b = 0; b < SPLIT_BINS && k < n; b++) {
		cum += sp->hist[b];
		while (k < n && cum * n >= sp->hist_total * k) {
			bounds[k] = (b + 1) << SPLIT_BIN_SHIFT;
			k++;
		}
	}
	for (; k < n; k++)
		bounds[k] = 65536;
	/* Keep shares non-empty ranges, even if some hold no sockets. */
	for (k = 1; k < n; k++) {
		uint32_t min = bounds[k - 1] + 1, max = 65536 - (n - k);

		if (bounds[k] < min)
			bounds[k] = min;
		if (bounds[k] > max)
			bounds[k] = max;
	}
}

static int share_cb(const struct sock_rec *rec, void *data)
{
	struct share *sh = data;
	int ret;

	sh->hist[bytecode_key(rec->sport, rec->dport) >> SPLIT_BIN_SHIFT]++;
	ret = table_add(sh->t, rec);
	return ret < 0 || !sh->tap ? ret : sh->tap->add(rec, sh->tap->data);
}

static void *share_main(void *arg)
{
	struct share *sh = arg;
	/* A tap sees every state of both families; the table filters. */
	uint32_t states = (sh->tap ? TCP_STATE_ALL_MASK : sh->f->states) &
			  ~TCP_STATE_BIT(TCP_STATE_LISTEN);
	int fam = sh->tap || (sh->f->ipv4 && sh->f->ipv6) ? AF_UNSPEC :
		  sh->f->ipv4 ? AF_INET : AF_INET6;

	sh->ret = states ? collector_dump_filtered(sh->c, fam, states, sh->bc, sh->bclen,
						   share_cb, sh) : 0;
	return NULL;
}

/* The listeners, into the caller's table and share 0's tap. */
static int listen_cb(const struct sock_rec *rec, void *data)
{
	const struct share *sh = data;
	int ret = table_add(sh->t, rec);

	return ret < 0 || !sh->tap ? ret : sh->tap->add(rec, sh->tap->data);
}

static int split_once(void *arg, struct sampler_info *info)
{
	struct split *sp = arg;
	struct collector *c = sp->c;
	struct table *t = sp->t;
	uint32_t bounds[SPLIT_MAX_SHARES + 1];
	unsigned started = 1;
	int ret;

	table_clear(t);
	ret = sampler_begin(c, t, &info->time);
	if (ret < 0)
		return ret;
	sp->shares[0].c = c;
	sp->shares[0].t = t;
	sp->shares[0].tap = sp->tap ? sp->tap->share(sp->tap->arg, 0) : NULL;
	if (sp->tap && (ret = sp->shares[0].tap->begin(sp->shares[0].tap->data, c)) < 0)
		return ret;
	/* Listeners of both families first: IPv6 ones may own IPv4 ports. */
	ret = collector_dump(c, sp->f.ipv4 || sp->tap ? AF_UNSPEC : AF_INET6,
			     TCP_STATE_BIT(TCP_STATE_LISTEN), listen_cb, &sp->shares[0]);
	if (ret < 0)
		return ret;

	split_bounds(sp, bounds);
	for (unsigned i = 0; i < sp->nshares; i++) {
		struct share *sh = &sp->shares[i];

		sh->f = &sp->f;
		/* Each share's tap begins with share 0's listeners. */
		if (i > 0) {
			sh->tap = sp->tap ? sp->tap->share(sp->tap->arg, i) : NULL;
			if (sh->tap && (ret = sh->tap->begin(sh->tap->data, c)) < 0)
				return ret;
		}
		sh->lo = bounds[i];
		sh->hi = bounds[i + 1];
		sh->bclen = bytecode_share(sh->lo, sh->hi, sh->bc);
		memset(sh->hist, 0, sizeof(sh->hist));
		if (i == 0) {
			sh->c = c;
			sh->t = t;
		} else {
			table_clear(sh->t);
			table_copy_listeners(sh->t, t);
		}
	}
	for (; started < sp->nshares; started++)
		if (pthread_create(&sp->shares[started].tid, NULL, share_main,
				   &sp->shares[started]) != 0)
			break;
	/* Shares whose thread could not start run here, after share 0. */
	share_main(&sp->shares[0]);
	for (unsigned i = started; i < sp->nshares; i++)
		share_main(&sp->shares[i]);
	for (unsigned i = 1; i < started; i++)
		pthread_join(sp->shares[i].tid, NULL);

	/* The caller reads the main collector's message. */
	for (unsigned i = 0; i < sp->nshares; i++)
		if (sp->shares[i].ret < 0)
			return collector_copy_error(c, sp->shares[i].c, sp->shares[i].ret);
	memset(sp->hist, 0, sizeof(sp->hist));
	sp->hist_total = 0;
	for (unsigned i = 0; i < sp->nshares; i++) {
		if (i > 0 && (ret = table_merge(t, sp->shares[i].t)) < 0)
			return ret;
		if (i > 0 && sp->tap && (ret = sp->tap->merge(sp->tap->arg, i)) < 0)
			return ret;
		for (uint32_t b = 0; b < SPLIT_BINS; b++) {
			sp->hist[b] += sp->shares[i].hist[b];
			sp->hist_total += sp->shares[i].hist[b];
		}
	}
	info->shares = sp->nshares;
	return collector_sample_end(c);
}

int split_run(struct split *sp, struct collector *c, struct table *t,
	      struct sampler_info *info)
{
	return split_run_tap(sp, c, t, NULL, info);
}

int split_run_tap(struct split *sp, struct collector *c, struct table *t,
		  const struct split_tap *tap, struct sampler_info *info)
{
	unsigned long n = 0;
	int ret;

	/* A recording holds one socket's replies; the shares' would be lost.
	 * Unless forced (min_sockets 0), a split must also pay: enough
	 * sockets, and a filter that lets through the bulk of a busy host
	 * (ESTABLISHED, TIME_WAIT) -- every share walks the whole hash, so a
	 * narrow filter costs more CPU than its few sockets save. */
	uint32_t states = tap ? TCP_STATE_ALL_MASK : sp->f.states;	/* what is dumped */
	bool single = sp->nshares < 2 || collector_is_replay(c) || collector_is_recording(c) ||
		      (sp->min_sockets &&
		       (!(states & (TCP_STATE_BIT(TCP_STATE_ESTABLISHED) |
				    TCP_STATE_BIT(TCP_STATE_TIME_WAIT))) ||
			collector_sockets(c, &n) < 0 || n < sp->min_sockets));

	if (!single) {
		shares_open(sp);
		single = sp->nshares < 2;
	}
	if (single) {
		ret = tap ? sampler_run_tap(c, t, tap->share(tap->arg, 0), info)
			  : sampler_run(c, t, info);
		info->shares = 1;
		return ret;
	}
	sp->c = c;
	sp->t = t;
	sp->tap = tap;
	return sampler_retry(c, info, split_once, sp);
}

int split_env(unsigned *shares, unsigned long *min_sockets, char *err, size_t errlen)
{
	const char *env = getenv("PORTSTAT_SPLIT");
	char *end;
	unsigned long v;

	*shares = 0;
	*min_sockets = SPLIT_MIN_SOCKETS;
	if (!env || !*env)
		return 0;
	v = strtoul(env, &end, 10);
	if (*end || *env < '0' || *env > '9' || v < 1 || v > SPLIT_MAX_SHARES) {
		snprintf(err, errlen, "invalid PORTSTAT_SPLIT '%s' (1 to %d)", env,
			 SPLIT_MAX_SHARES);
		return -EINVAL;
	}
	*shares = (unsigned)v;
	*min_sockets = 0;
	return 0;
}
