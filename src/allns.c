/* SPDX-License-Identifier: MIT */
/*
 * allns: parallel sampling of every network namespace.  Workers take the
 * next namespace from a shared counter; each has its own table and opens a
 * collector inside the namespace it samples, then hands the filled table to
 * the job's finishing step: render it (and reuse the table), or keep it.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allns.h"
#include "collector.h"
#include "sampler.h"
#include "table.h"

struct allns_job {
	const struct table_filter *f;
	const struct allns_tap *tap;	/* NULL: sampler_run() */
	/* What becomes of a namespace's filled table *t: 0 or -errno.  It
	 * may take *t, leaving a fresh table for the worker's next one. */
	int (*finish)(struct allns_job *job, struct allns_result *r,
		      struct table **t, const struct view_sample *vs);
	const struct config *cfg;	/* rendering only */
	const struct view_opts *o;
	/* Prometheus: the exported sets by namespace; lookups under lock,
	 * each set then used by the one worker of its namespace. */
	struct series_map *map;
	pthread_mutex_t map_lock;
	struct allns_result *r;
	size_t n;
	atomic_size_t next;
	/* Tables of an earlier sample to fill again before new ones are
	 * made (a table's index is 512 KiB, a sample may list hundreds of
	 * namespaces): taken by index, the rest freed after the run. */
	struct table **spare;
	size_t nspare;
	atomic_size_t spare_next;
};

/* A table to fill: a spare one, or a new one.  NULL when out of memory. */
static struct table *take_table(struct allns_job *job)
{
	size_t k = atomic_fetch_add(&job->spare_next, 1);

	if (k < job->nspare) {
		struct table *t = job->spare[k];

		job->spare[k] = NULL;
		return t;
	}
	return table_new(job->f);
}

static int render_one(struct allns_job *job, struct allns_result *r,
		      struct table **t, const struct view_sample *vs)
{
	struct view_opts o = *job->o;
	int nparts = job->cfg->format == CLI_FORMAT_PROMETHEUS ? ALLNS_PARTS : 1;

	o.first = false;	/* headers are the caller's */
	o.stamp = false;
	if (job->map) {
		pthread_mutex_lock(&job->map_lock);
		o.series = series_map_get(job->map, r->ns.label);
		pthread_mutex_unlock(&job->map_lock);
		if (!o.series)
			return -ENOMEM;
	}
	for (int k = 0; k < nparts; k++) {
		FILE *f = open_memstream(&r->part[k], &r->partlen[k]);
		int ret;

		if (!f)
			return -ENOMEM;
		switch (job->cfg->format) {
		case CLI_FORMAT_PROMETHEUS:
			ret = view_prom_family(f, k, vs, &o, r->ns.label);
			break;
		case CLI_FORMAT_JSON:
			ret = view_json_render(f, vs, &o);
			break;
		case CLI_FORMAT_CSV:
			ret = view_csv_render(f, vs, &o);
			break;
		default:
			ret = view_text_render(f, vs, &o);
			break;
		}
		if (fclose(f) != 0 && ret == 0)
			ret = -ENOMEM;
		if (ret < 0)
			return ret;
	}
	/* JSON objects are joined into an array by the caller. */
	if (job->cfg->format == CLI_FORMAT_JSON && r->partlen[0] &&
	    r->part[0][r->partlen[0] - 1] == '\n')
		r->part[0][--r->partlen[0]] = '\0';
	return 0;
}

static int keep_one(struct allns_job *job, struct allns_result *r,
		    struct table **t, const struct view_sample *vs)
{
	struct table *fresh = take_table(job);

	if (!fresh)
		return -ENOMEM;
	r->table = *t;
	*t = fresh;
	return 0;
}

/* Whether @ns was listed from /run/netns (netns_list() found it there as
 * a mounted namespace), not held by a process. */
static bool named(const struct netns_entry *ns)
{
	static const char dir[] = "/run/netns/";

	return strncmp(ns->path, dir, sizeof(dir) - 1) == 0;
}

static void sample_one(struct allns_job *job, struct table **t, struct allns_result *r)
{
	struct collector *c = NULL;
	struct sampler_info info;
	struct view_sample vs;
	int ret;

	ret = collector_open_live(&c, r->ns.path, r->note, sizeof(r->note));
	if (ret == -ENOENT || ret == -ESRCH || (ret == -EINVAL && named(&r->ns))) {
		/* The holder exited or the name was deleted mid-scan: 'ip
		 * netns del' unmounts the namespace, leaving a plain file
		 * (not nsfs: -EINVAL) for a moment, then unlinks it. */
		r->vanished = true;
		r->err = ret;
		return;
	}
	if (ret < 0) {
		r->err = ret;
		return;
	}
	if (!collector_netns_is(c, r->ns.dev, r->ns.ino)) {
		/* The holder exited and its pid was reused meanwhile. */
		r->vanished = true;
		r->err = -ESRCH;
		goto out;
	}
	ret = job->tap ? job->tap->sample(job->tap->arg, r, c, *t, &info)
		       : sampler_run(c, *t, &info);
	if (ret < 0) {
		r->err = ret;
		snprintf(r->note, sizeof(r->note), "%s", collector_error(c));
		goto out;
	}
	r->complete = info.complete;
	r->cost_ms = info.cost_ms;
	if (!info.complete)
		snprintf(r->note, sizeof(r->note), "%s", info.note);
	vs = (struct view_sample){
		.table = *t,
		.time = info.time,
		.netns = r->ns.label,
		.holder = r->ns.holder.container[0] ? &r->ns.holder : NULL,
		.complete = info.complete,
		.note = info.complete ? NULL : r->note,
		.cost_ms = info.cost_ms,
	};
	ret = job->finish(job, r, t, &vs);
	if (ret < 0) {
		r->err = ret;
		snprintf(r->note, sizeof(r->note), "out of memory");
	}
out:
	collector_close(c);
}

static void *worker(void *arg)
{
	struct allns_job *job = arg;
	struct table *t = take_table(job);
	size_t i;

	while ((i = atomic_fetch_add(&job->next, 1)) < job->n) {
		if (!t) {
			job->r[i].err = -ENOMEM;
			snprintf(job->r[i].note, sizeof(job->r[i].note), "out of memory");
			continue;
		}
		sample_one(job, &t, &job->r[i]);
	}
	table_delete(t);
	return NULL;
}

static int run(struct allns_job *job, struct allns_result **out, size_t *n,
	       char *err, size_t errlen)
{
	struct netns_entry *ns = NULL;
	pthread_t tids[16];
	size_t nns = 0, nthreads, started = 0;
	cpu_set_t set;
	int ret;

	ret = netns_list(&ns, &nns);
	if (ret < 0) {
		snprintf(err, errlen, "cannot list network namespaces: %s", strerror(-ret));
		return ret;
	}
	job->r = calloc(nns ? nns : 1, sizeof(*job->r));
	if (!job->r) {
		free(ns);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < nns; i++)
		job->r[i].ns = ns[i];
	free(ns);
	job->n = nns;
	atomic_init(&job->next, 0);

	nthreads = sched_getaffinity(0, sizeof(set), &set) == 0 ? (size_t)CPU_COUNT(&set) : 1;
	if (nthreads > sizeof(tids) / sizeof(tids[0]))
		nthreads = sizeof(tids) / sizeof(tids[0]);
	if (nthreads > nns)
		nthreads = nns;
	/* This thread is a worker too. */
	for (; started + 1 < nthreads; started++)
		if (pthread_create(&tids[started], NULL, worker, job) != 0)
			break;
	worker(job);
	for (size_t i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	*out = job->r;
	*n = nns;
	return 0;
}

int allns_sample(const struct config *cfg, const struct view_opts *o, struct series_map *map,
		 struct allns_result **out, size_t *n, char *err, size_t errlen)
{
	struct allns_job job = { .f = &cfg->filter, .finish = render_one, .cfg = cfg, .o = o,
				 .map = map };
	int ret;

	if (map)
		series_map_begin(map);
	pthread_mutex_init(&job.map_lock, NULL);
	ret = run(&job, out, n, err, errlen);
	pthread_mutex_destroy(&job.map_lock);
	/* Namespaces gone since the last sample forget their rows. */
	if (map && ret == 0)
		series_map_sweep(map);
	return ret;
}

int allns_tables(const struct table_filter *f, struct allns_result *reuse, size_t nreuse,
		 struct allns_result **out, size_t *n, char *err, size_t errlen)
{
	return allns_tables_tap(f, NULL, reuse, nreuse, out, n, err, errlen);
}

int allns_tables_tap(const struct table_filter *f, const struct allns_tap *tap,
		     struct allns_result *reuse, size_t nreuse, struct allns_result **out,
		     size_t *n, char *err, size_t errlen)
{
	struct allns_job job = { .f = f, .tap = tap, .finish = keep_one };
	int ret;

	/* Without room for the list, every table is simply made anew. */
	job.spare = nreuse ? calloc(nreuse, sizeof(*job.spare)) : NULL;
	for (size_t i = 0; job.spare && i < nreuse; i++)
		if (reuse[i].table) {
			job.spare[job.nspare++] = reuse[i].table;
			reuse[i].table = NULL;
		}
	atomic_init(&job.spare_next, 0);
	ret = run(&job, out, n, err, errlen);
	for (size_t i = 0; i < job.nspare; i++)
		table_delete(job.spare[i]);	/* not taken: NULL */
	free(job.spare);
	return ret;
}

void allns_free(struct allns_result *r, size_t n)
{
	if (!r)
		return;
	for (size_t i = 0; i < n; i++) {
		for (int k = 0; k < ALLNS_PARTS; k++)
			free(r[i].part[k]);
		table_delete(r[i].table);
		if (r[i].extra && r[i].extra_free)
			r[i].extra_free(r[i].extra);
	}
	free(r);
}
