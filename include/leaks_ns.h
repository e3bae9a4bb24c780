/* SPDX-License-Identifier: MIT */
/*
 * leaks_ns: the leaks models of --all-netns, one per network namespace,
 * kept across samples by the namespace's identity, its nsfs device and
 * inode, not by its label: a namespace that is relabelled (its holder
 * restarted, a name added) keeps its tracked sockets, ages and growth
 * history.  Models of namespaces that are gone are freed; at most
 * LEAKS_NS_MAX models live at once.  Used by `leaks --all-netns` and
 * `serve --leaks --all-netns`.  It never prints.
 */
#ifndef PORTSTAT_LEAKS_NS_H
#define PORTSTAT_LEAKS_NS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "leaks.h"
#include "netns.h"
#include "series.h"

/* The most namespaces followed at once: a model costs tens of KiB once
 * it has held sockets, and a node runs hundreds of pods, not thousands.
 * A namespace past the bound (the ones already followed keep theirs) is
 * listed as not read, with a note saying why. */
#define LEAKS_NS_MAX	1024

/* One namespace of the last sample; everything is owned by the set. */
struct leaks_ns {
	struct netns_entry ns;	/* as this sample listed it (label, holder) */
	struct leaks *l;	/* its model, kept across samples; NULL past
				 * LEAKS_NS_MAX */
	struct series *series;	/* its exported leak groups, kept with the
				 * model; NULL unless the set was asked */
	bool read;		/* sampled: l holds this sample */
	bool vanished;		/* gone before it could be read */
	bool complete;		/* the dump was complete (when read) */
	struct timespec time;	/* when its dump was taken (when read) */
	char note[512];		/* why not read, or why incomplete; else "" */
};

struct leaks_ns_set;

/*
 * leaks_ns_set_new - an empty set whose models are made with @lo (copied;
 * proc_root borrowed); with @series_top > 0 each model gets an exported
 * set of leak groups (series.h) of that bound, sticky with @sticky.
 * Returns 0 or -ENOMEM.
 */
int leaks_ns_set_new(struct leaks_ns_set **out, const struct leaks_opts *lo, size_t series_top,
		     bool sticky);

/* leaks_ns_set_delete - every model; accepts NULL. */
void leaks_ns_set_delete(struct leaks_ns_set *set);

/*
 * leaks_ns_sample - one sample of every namespace: list them (netns_list()
 * order: host, named, held), match them with the models, dump each into
 * its model, find every model's owners in one scan of /proc (with
 * lo->owners; socket inodes are unique over the system) and finish them.
 * A namespace that cannot be read is not an error: it is an entry with
 * read false and a note (vanished when it went away meanwhile).  Returns
 * 0, or -errno with @err saying why when the sample as a whole failed:
 * the namespaces could not be listed, memory, or an owner scan out of
 * fds (-EMFILE, -ENFILE: owners would be wrong).
 */
int leaks_ns_sample(struct leaks_ns_set *set, char *err, size_t errlen);

/* leaks_ns_count - the entries of the last sample; leaks_ns_get - the
 * @i-th, borrowed until the next leaks_ns_sample(). */
size_t leaks_ns_count(const struct leaks_ns_set *set);
struct leaks_ns *leaks_ns_get(struct leaks_ns_set *set, size_t i);

#endif
