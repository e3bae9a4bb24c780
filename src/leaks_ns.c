/* SPDX-License-Identifier: MIT */
/*
 * leaks_ns: one leaks model per network namespace, matched to this
 * sample's namespace list by (dev, inode), dumped one namespace after the
 * other, then finished together after one owner scan.  Entries live in
 * one array kept in netns_list()'s order; an entry owns its model and
 * its exported set.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "leaks_ns.h"
#include "procmap.h"
#include "sampler.h"

struct leaks_ns_set {
	struct leaks_opts lo;
	size_t series_top;
	bool sticky;
	struct leaks_ns *v;	/* this sample's, in netns_list() order */
	size_t n;
	size_t nmodels;		/* entries with a model */
};

int leaks_ns_set_new(struct leaks_ns_set **out, const struct leaks_opts *lo, size_t series_top,
		     bool sticky)
{
	struct leaks_ns_set *set = calloc(1, sizeof(*set));

	*out = set;
	if (!set)
		return -ENOMEM;
	set->lo = *lo;
	set->series_top = series_top;
	set->sticky = sticky;
	return 0;
}

static void entry_done(struct leaks_ns *e)
{
	leaks_delete(e->l);
	series_delete(e->series);
	e->l = NULL;
	e->series = NULL;
}

void leaks_ns_set_delete(struct leaks_ns_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++)
		entry_done(&set->v[i]);
	free(set->v);
	free(set);
}

size_t leaks_ns_count(const struct leaks_ns_set *set)
{
	return set->n;
}

struct leaks_ns *leaks_ns_get(struct leaks_ns_set *set, size_t i)
{
	return &set->v[i];
}

/* A model (and exported set) for @e, unless LEAKS_NS_MAX are made. */
static int entry_model(struct leaks_ns_set *set, struct leaks_ns *e)
{
	int ret;

	if (set->nmodels >= LEAKS_NS_MAX) {
		snprintf(e->note, sizeof(e->note),
			 "more than %d network namespaces: not followed", LEAKS_NS_MAX);
		return 0;
	}
	ret = leaks_new(&e->l, &set->lo);
	if (ret == 0 && set->series_top)
		ret = series_new(&e->series, set->series_top, set->sticky);
	if (ret < 0) {
		entry_done(e);
		return ret;
	}
	set->nmodels++;
	return 0;
}

/*
 * Match this sample's namespace list with the entries: a namespace seen
 * before keeps its model (its tracked sockets and history) whatever its
 * label now; a new one gets a fresh one; one gone is freed.  The entries
 * end in the list's order.  Returns 0 or -errno (@err says why).
 */
static int entries_update(struct leaks_ns_set *set, char *err, size_t errlen)
{
	struct netns_entry *ns = NULL;
	struct leaks_ns *v;
	size_t nns = 0;
	int ret;

	ret = netns_list(&ns, &nns);
	if (ret < 0) {
		snprintf(err, errlen, "cannot list network namespaces: %s", strerror(-ret));
		return ret;
	}
	v = calloc(nns ? nns : 1, sizeof(*v));
	if (!v) {
		free(ns);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* Linear matching: hundreds of namespaces, once a sample. */
	for (size_t i = 0; i < nns; i++) {
		for (size_t k = 0; k < set->n; k++) {
			struct leaks_ns *old = &set->v[k];

			if (old->l && old->ns.dev == ns[i].dev && old->ns.ino == ns[i].ino) {
				v[i].l = old->l;
				v[i].series = old->series;
				old->l = NULL;
				old->series = NULL;
				break;
			}
		}
		v[i].ns = ns[i];
	}
	free(ns);
	for (size_t k = 0; k < set->n; k++) {
		if (set->v[k].l)
			set->nmodels--;
		entry_done(&set->v[k]);	/* gone, or moved: NULL */
	}
	free(set->v);
	set->v = v;
	set->n = nns;
	for (size_t i = 0; i < nns; i++) {
		if (v[i].l)
			continue;
		ret = entry_model(set, &v[i]);
		if (ret < 0) {
			snprintf(err, errlen, "out of memory");
			return ret;
		}
	}
	return 0;
}

/* Whether @ns was listed from /run/netns (as allns.c). */
static bool named_ns(const struct netns_entry *ns)
{
	static const char dir[] = "/run/netns/";

	return strncmp(ns->path, dir, sizeof(dir) - 1) == 0;
}

/* Dump one namespace into its model (its owners come later, from the
 * scan all share).  Returns 0 (e->read, or e->vanished, or a note on why
 * not), or -ENOMEM. */
static int entry_sample(struct leaks_ns *e)
{
	struct collector *c = NULL;
	struct sampler_info info;
	int ret;

	e->read = e->vanished = e->complete = false;
	if (!e->l)
		return 0;	/* past the bound: the note says so */
	e->note[0] = '\0';
	ret = collector_open_live(&c, e->ns.path, e->note, sizeof(e->note));
	if (ret == -ENOENT || ret == -ESRCH || (ret == -EINVAL && named_ns(&e->ns))) {
		/* Its holder exited, or 'ip netns del' ran meanwhile. */
		e->vanished = true;
		return 0;
	}
	if (ret < 0)
		return 0;
	if (!collector_netns_is(c, e->ns.dev, e->ns.ino)) {
		/* The holder exited and its pid was reused. */
		e->vanished = true;
		goto out;
	}
	ret = leaks_sample_dump(e->l, c, &info);
	if (ret < 0) {
		if (ret == -ENOMEM)
			goto out;
		snprintf(e->note, sizeof(e->note), "%s", collector_error(c));
		ret = 0;
		goto out;
	}
	e->read = true;
	e->complete = info.complete;
	e->time = info.time;
	if (!info.complete)
		snprintf(e->note, sizeof(e->note), "%s", info.note);
out:
	collector_close(c);
	return ret;
}

/*
 * The owners of every namespace's sockets from one scan of /proc: socket
 * inodes are unique over the system, whatever namespace a socket is in
 * and wherever its holder runs.  Then each model is finished.
 */
static int entries_finish(struct leaks_ns_set *set, char *err, size_t errlen)
{
	struct procmap *pm = NULL;
	size_t total = 0;
	int scan = 0, ret = 0;

	for (size_t k = 0; k < set->n; k++)
		if (set->v[k].read)
			total += leaks_nsocks(set->v[k].l);
	if (set->lo.owners && total) {
		if ((ret = procmap_new(&pm, total)) < 0)
			goto nomem;
		for (size_t k = 0; k < set->n && ret == 0; k++)
			if (set->v[k].read)
				ret = leaks_want_owners(set->v[k].l, pm);
		if (ret < 0)
			goto nomem;
		scan = procmap_scan(pm, set->lo.proc_root);
	}
	for (size_t k = 0; k < set->n; k++) {
		struct leaks_ns *e = &set->v[k];

		if (!e->read)
			continue;
		ret = leaks_end_shared(e->l, e->complete, pm, scan);
		if (ret < 0) {
			snprintf(err, errlen, "%s", *leaks_error(e->l) ? leaks_error(e->l) : "out of memory");
			goto out;
		}
	}
	goto out;
nomem:
	snprintf(err, errlen, "out of memory");
out:
	procmap_delete(pm);
	return ret;
}

int leaks_ns_sample(struct leaks_ns_set *set, char *err, size_t errlen)
{
	int ret = entries_update(set, err, errlen);

	/* The BPF owner iterator loads meanwhile, and runs as soon as a
	 * socket's owner is wanted (procmap_prefetch()). */
	if (ret == 0 && set->lo.owners)
		procmap_prefetch(false);
	for (size_t k = 0; k < set->n && ret == 0; k++)
		if ((ret = entry_sample(&set->v[k])) < 0)
			snprintf(err, errlen, "out of memory");
	if (ret == 0)
		ret = entries_finish(set, err, errlen);
	procmap_prefetch_end();
	return ret;
}
