/* SPDX-License-Identifier: MIT */
/*
 * allns: one sample of every network namespace (--all-netns), taken in
 * parallel by one thread per usable CPU, each namespace either rendered
 * into memory so the parts can be printed in a stable order (the report),
 * or kept as its table (the dashboard).  Each namespace's dump walks the
 * kernel's whole (shared) socket hash, so namespaces are not free; threads
 * overlap those walks.
 */
#ifndef PORTSTAT_ALLNS_H
#define PORTSTAT_ALLNS_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"
#include "netns.h"
#include "series.h"
#include "view.h"

struct collector;
struct sampler_info;

#define ALLNS_PARTS	VIEW_PROM_FAMILIES

struct allns_result {
	struct netns_entry ns;
	int err;		/* 0, or -errno: not sampled (see note) */
	bool vanished;		/* gone before it could be read */
	bool complete;		/* false: partial sample, see note */
	double cost_ms;		/* how long its sample took */
	char note[512];
	/* allns_sample(): the rendered output: part[0] for text, JSON (one
	 * object, no newline) and CSV (rows); one part per metric family for
	 * Prometheus. */
	char *part[ALLNS_PARTS];
	size_t partlen[ALLNS_PARTS];
	/* allns_tables(): the sample itself, NULL unless it was taken. */
	struct table *table;
	/* allns_tables_tap(): what the tap made of the namespace, freed
	 * with extra_free() by allns_free(); NULL when nothing. */
	void *extra;
	void (*extra_free)(void *extra);
};

/* What allns_tables_tap() also does in each namespace (the dashboard's
 * doctor): @sample takes the sample of @r's namespace through @c into @t
 * in place of sampler_run(), with its returns, on a worker thread; what
 * it keeps goes to r->extra and r->extra_free. */
struct allns_tap {
	int (*sample)(void *arg, struct allns_result *r, struct collector *c, struct table *t,
		      struct sampler_info *info);
	void *arg;
};

/*
 * allns_sample - enumerate and sample every namespace, rendering with
 * @cfg's format and @o.  *out (free with allns_free()) receives *n results
 * in netns_list() order.  With @map (Prometheus), each namespace's rows
 * are chosen by its exported set there (series.h), kept across calls;
 * namespaces not seen in this sample leave the map.  Returns 0, or -errno
 * when nothing could be done (@err says why); per-namespace failures are
 * in the results.
 */
int allns_sample(const struct config *cfg, const struct view_opts *o, struct series_map *map,
		 struct allns_result **out, size_t *n, char *err, size_t errlen);

/*
 * allns_tables - the same sample, kept: each result's table (owned by the
 * result) holds its namespace's sockets as @f selects, listeners included.
 * The tables of @reuse (an earlier sample's @nreuse results, or NULL) are
 * filled again before new ones are made; they leave @reuse (its tables
 * become NULL), which the caller still frees.  Returns as allns_sample().
 */
int allns_tables(const struct table_filter *f, struct allns_result *reuse, size_t nreuse,
		 struct allns_result **out, size_t *n, char *err, size_t errlen);

/* allns_tables_tap - allns_tables() with each namespace sampled by @tap
 * (NULL: as allns_tables()). */
int allns_tables_tap(const struct table_filter *f, const struct allns_tap *tap,
		     struct allns_result *reuse, size_t nreuse, struct allns_result **out,
		     size_t *n, char *err, size_t errlen);

/* allns_free - the results, their parts and tables; accepts NULL. */
void allns_free(struct allns_result *r, size_t n);

#endif
