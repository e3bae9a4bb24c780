/* SPDX-License-Identifier: MIT */
/*
 * top_sampler: the dashboard's sampler thread.  It owns the collector and
 * the back table (and with --all-netns the namespaces' tables), takes a
 * sample every interval with the report's sampler_run()/split_run() or
 * allns_tables(),
 * each dump also feeding the doctor's checks (top_doctor.c), plus the
 * detail dump while the detail screen is open,
 * then swaps back and front under the mutex and wakes the UI through the
 * eventfd.  It waits on the condition variable for the UI's requests
 * (pause, interval, detail, quit).
 */
#include "top_priv.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "strenc.h"

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct timespec mono_abs(double t)
{
	struct timespec ts;

	ts.tv_sec = (time_t)t;
	ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

static void wake_ui(struct top_shared *sh)
{
	uint64_t one = 1;

	/* A full counter already means "wake up"; nothing is lost. */
	if (write(sh->efd, &one, sizeof(one)) < 0)
		return;
}

/* ---- sampler thread ---------------------------------------------------- */

/* A namespace's id for the model: nsfs inode numbers are 32 bits (the
 * kernel's proc_inum), and never 0. */
static uint32_t ns_id(const struct netns_entry *e)
{
	return (uint32_t)e->ino;
}

/* One sample of every namespace: each one's table into tp->nsback, their
 * sum into tp->back.  A namespace that vanished since it was listed is
 * left out quietly; one that could not be read is counted and the first
 * one's reason kept.  Returns 0 or -errno (@err says why). */
static int sample_allns(struct top *tp, struct sampler_info *info, char *err, size_t errlen)
{
	struct top_nsset *set = &tp->nsback;
	struct allns_result *old = set->r;
	size_t nold = set->nr;
	double start = mono_now();
	int ret;

	set->r = NULL;
	set->nr = set->n = set->failed = 0;
	set->note[0] = '\0';
	memset(info, 0, sizeof(*info));
	info->complete = true;
	info->attempts = info->shares = 1;
	clock_gettime(CLOCK_REALTIME, &info->time);
	/* The last back set's tables are filled again, not made anew. */
	ret = allns_tables_tap(&tp->cfg->filter, top_doctor_allns_tap(tp->td), old, nold,
			       &set->r, &set->nr, err, errlen);
	allns_free(old, nold);
	if (ret < 0)
		return ret;
	if (top_doctor_gather(set->r, set->nr, &tp->fback) < 0)
		goto nomem;
	if (set->cap < set->nr + 1) {
		struct top_ns *nv = realloc(set->ns, (set->nr + 1) * sizeof(*nv));

		if (!nv)
			goto nomem;
		set->ns = nv;
		set->cap = set->nr + 1;
	}
	table_clear(tp->back);
	set->ns[set->n++] = (struct top_ns){ .table = tp->back };
	for (size_t i = 0; i < set->nr; i++) {
		const struct allns_result *r = &set->r[i];

		if (r->vanished)
			continue;
		if (r->err || !r->table) {
			if (set->failed++ == 0)
				snprintf(set->note, sizeof(set->note), "%s: %s", r->ns.label,
					 r->note[0] ? r->note : strerror(-r->err));
			continue;
		}
		if (!r->complete && info->complete) {
			info->complete = false;
			snprintf(info->note, sizeof(info->note), "%.127s: %.380s", r->ns.label,
				 r->note);
		}
		set->ns[set->n++] = (struct top_ns){
			.id = ns_id(&r->ns), .label = r->ns.label, .table = r->table,
		};
		if (table_merge(tp->back, r->table) < 0)
			goto nomem;
	}
	info->cost_ms = (mono_now() - start) * 1e3;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -ENOMEM;
}

/* The detail of (@ns, @port, @dir) from the sample just taken into
 * tp->nsback: a dump of that one namespace.  Rows merged across
 * namespaces (@ns 0) have none. */
static void detail_allns(struct top *tp, uint32_t ns, uint16_t port, uint8_t dir)
{
	const struct top_nsset *set = &tp->nsback;

	top_detail_clear(tp->dback);
	tp->dback_note[0] = '\0';
	if (!ns)
		return;
	for (size_t i = 0; i < set->nr; i++) {
		const struct allns_result *r = &set->r[i];
		struct collector *c = NULL;

		if (!r->table || ns_id(&r->ns) != ns)
			continue;
		if (collector_open_live(&c, r->ns.path, tp->dback_note, sizeof(tp->dback_note)) == 0) {
			/* a path by pid names another namespace once the
			 * pid is reused */
			if (collector_netns_is(c, r->ns.dev, r->ns.ino))
				top_detail_collect(tp->dback, c, r->table, port, dir);
			else
				snprintf(tp->dback_note, sizeof(tp->dback_note),
					 "the namespace is gone");
		}
		collector_close(c);
		return;
	}
	snprintf(tp->dback_note, sizeof(tp->dback_note), "the namespace is gone");
}

void *top_sampler_main(void *arg)
{
	struct top *tp = arg;
	struct top_shared *sh = &tp->sh;
	bool started = false, done = false, live = !tp->cfg->replay;
	double last_start = 0;

	pthread_mutex_lock(&sh->mu);
	for (;;) {
		bool want;
		uint32_t ns;
		uint16_t port;
		uint8_t dir;
		struct sampler_info info;
		char err[512] = "";
		int ret;

		while (!sh->quit) {
			double next = last_start + sh->interval;
			struct timespec ts;

			if (sh->paused || sh->ended || done) {
				pthread_cond_wait(&sh->cv, &sh->mu);
				continue;
			}
			if (sh->kick || !started || mono_now() >= next)
				break;
			ts = mono_abs(next);
			pthread_cond_timedwait(&sh->cv, &sh->mu, &ts);
		}
		if (sh->quit)
			break;
		sh->kick = false;
		want = sh->want_detail;
		ns = sh->dns;
		port = sh->dport;
		dir = sh->ddir;
		pthread_mutex_unlock(&sh->mu);

		last_start = mono_now();
		started = true;
		if (tp->cfg->all_netns) {
			ret = sample_allns(tp, &info, err, sizeof(err));
		} else {
			ret = top_doctor_sample(tp->td, tp->sp, tp->c, tp->back, &info, &tp->fback);
			if (ret < 0)
				snprintf(err, sizeof(err), "%s", collector_error(tp->c));
			tp->nsback.ns[0] = (struct top_ns){ .table = tp->back };
			tp->nsback.n = 1;
		}
		tp->dback_note[0] = '\0';
		if (ret == 0 && want && live && tp->cfg->all_netns)
			detail_allns(tp, ns, port, dir);
		else if (ret == 0 && want && live)
			top_detail_collect(tp->dback, tp->c, tp->back, port, dir);
		else
			top_detail_clear(tp->dback);

		pthread_mutex_lock(&sh->mu);
		if (sh->paused) {
			/* Paused while this sample ran: the screen froze at
			 * the key press, so the sample is dropped. */
			continue;
		}
		if (ret == 0) {
			struct table *t = sh->front;
			struct top_nsset set = sh->nsfront;
			struct top_detail *d = sh->dfront;
			struct top_findings f = sh->ffront;

			sh->front = tp->back;
			tp->back = t;
			sh->nsfront = tp->nsback;
			tp->nsback = set;
			sh->dfront = tp->dback;
			tp->dback = d;
			sh->ffront = tp->fback;
			tp->fback = f;
			sh->dfront_ns = ns;
			snprintf(sh->dnote, sizeof(sh->dnote), "%s", tp->dback_note);
			sh->info = info;
			sh->fresh = true;
			sh->produced++;
			sh->err = 0;
			sh->late = info.cost_ms > sh->interval * 1e3;
			if (tp->cfg->count && sh->produced >= tp->cfg->count)
				done = true;
		} else if (ret == -ENODATA) {
			sh->ended = true;
		} else {
			/* Shown on the status line; the next sample may do better.
			 * Not a replay's: a damaged recording stays damaged, so
			 * the replay ends there, and 'top' exits 1 with it. */
			sh->err = ret;
			snprintf(sh->errmsg, sizeof(sh->errmsg), "%s", err);
			if (!live)
				done = true;
		}
		wake_ui(sh);
	}
	pthread_mutex_unlock(&sh->mu);
	return NULL;
}
