/* SPDX-License-Identifier: MIT */
/*
 * top_doctor: `portstat doctor`'s checks on every dashboard sample, in the
 * sampler thread.  The doctor needs what the port table does not keep
 * (listeners' queues, destination tuples, peers, inodes), so it is fed
 * each socket of the sample's own dump (sampler_run_tap()): one dump, two
 * consumers; a sample split into parallel dumps (split.h) feeds one model
 * per share, merged into the first (doctor_split.h, as `doctor` does).  The namespace's sysctls and TcpExt
 * counters come with each sample from its collector (collector_want_context(),
 * as `doctor` gets them; a replay serves what was recorded); with --all-netns each namespace's worker runs
 * its own doctor, taken from a pool so the models' memory is reused
 * across samples.
 * Findings leave as words (struct top_finding), so the UI needs no model.
 * Owners are not looked up: the dashboard resolves them only for the
 * detail screen, and a /proc scan per sample would cost more than the
 * sample.
 */
#include "top_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"
#include "doctor_split.h"
#include "split.h"
#include "view_doctor.h"

struct top_doctor {
	struct doctor_thresholds th;
	pthread_mutex_t mu;		/* the pool, shared by allns workers */
	struct doctor **pool;
	size_t npool, cap;
	/* one namespace: its collector asked for the kernel context */
	bool ctx_tried;
	struct allns_tap tap;
	/* a split sample's taps (share 0's model from the pool, the
	 * others' kept there) */
	struct doctor_split split;
};

/* A model from the pool, or a new one; NULL when out of memory. */
static struct doctor *pool_take(struct top_doctor *td)
{
	struct doctor *d = NULL;

	pthread_mutex_lock(&td->mu);
	if (td->npool)
		d = td->pool[--td->npool];
	pthread_mutex_unlock(&td->mu);
	if (!d && doctor_new(&d, &td->th) < 0)
		return NULL;
	return d;
}

static void pool_give(struct top_doctor *td, struct doctor *d)
{
	if (!d)
		return;
	pthread_mutex_lock(&td->mu);
	if (td->npool == td->cap) {
		size_t cap = td->cap ? td->cap * 2 : 4;
		struct doctor **p = realloc(td->pool, cap * sizeof(*p));

		if (!p) {
			pthread_mutex_unlock(&td->mu);
			doctor_delete(d);
			return;
		}
		td->pool = p;
		td->cap = cap;
	}
	td->pool[td->npool++] = d;
	pthread_mutex_unlock(&td->mu);
}

/* The model's findings, in words, into @out (appended). */
static int export(const struct doctor *d, const char *label, struct top_findings *out)
{
	struct view_doctor vd = { .d = d };

	for (size_t i = 0; i < doctor_nfindings(d); i++) {
		const struct doctor_finding *f = doctor_finding(d, i);
		struct top_finding tf;
		int ret;

		memset(&tf, 0, sizeof(tf));
		tf.severity = f->severity;
		tf.check = f->check;
		tf.rank = f->rank;
		snprintf(tf.label, sizeof(tf.label), "%s", label ? label : "");
		view_doctor_where(f, tf.where, sizeof(tf.where));
		view_doctor_describe(&vd, f, tf.numbers, sizeof(tf.numbers), tf.why, sizeof(tf.why),
				     tf.fix, sizeof(tf.fix));
		if ((ret = top_findings_add(out, &tf)) < 0)
			return ret;
	}
	return 0;
}

/* One namespace's sample into @t and its findings into @out (appended;
 * out->ran set when the checks ran, else out->note says why). */
static int sample_one(struct top_doctor *td, struct collector *c, struct table *t, struct sampler_info *info, const char *label,
		      struct top_findings *out)
{
	struct doctor *d = pool_take(td);
	struct doctor_split ds;	/* this worker's: share 0 only */
	const struct split_tap *tap;
	int ret;

	if (!d) {
		snprintf(out->note, sizeof(out->note), "out of memory");
		return sampler_run(c, t, info);
	}
	doctor_split_init(&ds);
	tap = doctor_split_tap(&ds, d);
	ret = sampler_run_tap(c, t, tap->share(tap->arg, 0), info);
	doctor_split_done(&ds);
	if (ret == 0) {
		if (doctor_end(d) == 0 && export(d, label, out) == 0)
			out->ran = true;
		else
			snprintf(out->note, sizeof(out->note), "out of memory");
	}
	pool_give(td, d);
	return ret;
}

static void findings_free(void *p)
{
	top_findings_done(p);
	free(p);
}

/* allns_tap.sample: a worker's namespace, its collector (which lives
 * for one sample) asked for the namespace's kernel context. */
static int allns_one(void *arg, struct allns_result *r, struct collector *c, struct table *t,
		     struct sampler_info *info)
{
	struct top_doctor *td = arg;
	struct top_findings *f = calloc(1, sizeof(*f));
	int ret;

	if (!f)
		return sampler_run(c, t, info);
	/* A namespace that cannot be entered: its facts are unknown. */
	(void)collector_want_context(c);
	ret = sample_one(td, c, t, info, r->ns.label, f);
	r->extra = f;
	r->extra_free = findings_free;
	return ret;
}

int top_doctor_new(struct top_doctor **out)
{
	struct top_doctor *td = calloc(1, sizeof(*td));

	if (!td)
		return -ENOMEM;
	if (pthread_mutex_init(&td->mu, NULL) != 0) {
		free(td);
		return -ENOMEM;
	}
	doctor_thresholds_default(&td->th);
	td->tap = (struct allns_tap){ .sample = allns_one, .arg = td };
	doctor_split_init(&td->split);
	*out = td;
	return 0;
}

void top_doctor_delete(struct top_doctor *td)
{
	if (!td)
		return;
	for (size_t i = 0; i < td->npool; i++)
		doctor_delete(td->pool[i]);
	doctor_split_done(&td->split);
	free(td->pool);
	pthread_mutex_destroy(&td->mu);
	free(td);
}

int top_doctor_sample(struct top_doctor *td, struct split *sp, struct collector *c,
		      struct table *t, struct sampler_info *info, struct top_findings *out)
{
	struct doctor *d;
	int ret;

	top_findings_clear(out);
	/* Once per collector; a replay serves what it recorded, and a
	 * namespace that cannot be entered leaves the facts unknown. */
	if (!td->ctx_tried) {
		td->ctx_tried = true;
		(void)collector_want_context(c);
	}
	if (!sp)
		return sample_one(td, c, t, info, NULL, out);
	if (!(d = pool_take(td))) {
		snprintf(out->note, sizeof(out->note), "out of memory");
		return split_run(sp, c, t, info);
	}
	ret = split_run_tap(sp, c, t, doctor_split_tap(&td->split, d), info);
	if (ret == 0) {
		if (doctor_end(d) == 0 && export(d, NULL, out) == 0)
			out->ran = true;
		else
			snprintf(out->note, sizeof(out->note), "out of memory");
	}
	pool_give(td, d);
	return ret;
}

const struct allns_tap *top_doctor_allns_tap(struct top_doctor *td)
{
	return &td->tap;
}

int top_doctor_gather(const struct allns_result *r, size_t n, struct top_findings *out)
{
	top_findings_clear(out);
	out->ran = true;
	for (size_t i = 0; i < n; i++) {
		const struct top_findings *f = r[i].extra;

		if (r[i].vanished)
			continue;
		if (!f || !f->ran) {
			if (out->unread++ == 0)
				snprintf(out->note, sizeof(out->note), "%.120s: %.120s", r[i].ns.label,
					 f && f->note[0] ? f->note : r[i].note[0] ? r[i].note :
					 "not read");
			continue;
		}
		for (size_t k = 0; k < f->n; k++)
			if (top_findings_add(out, &f->v[k]) < 0)
				return -ENOMEM;
	}
	top_findings_sort(out);
	return 0;
}
