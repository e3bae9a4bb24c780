/* SPDX-License-Identifier: MIT */
/*
 * series: the exported set of Prometheus rows and its hysteresis.  Members
 * are kept sorted by key (port, dir, state) so that a sample's rows find
 * them by binary search: an update costs O(rows log top) and allocates
 * nothing.  The report's rows have state 0; leak groups have their state.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "series.h"

struct member {
	struct series_key key;
	size_t rank;		/* this sample's; past the rows when absent */
	bool present;		/* among this sample's rows */
	uint64_t value;		/* what the sort ranks by */
};

struct series {
	size_t top;
	bool sticky;
	struct member *m;	/* top entries, n used, sorted by key */
	size_t n;
};

int series_new(struct series **out, size_t top, bool sticky)
{
	struct series *s = calloc(1, sizeof(*s));

	*out = NULL;
	/* A table holds at most 2 x 65536 rows: no more members than that. */
	if (top == 0)
		top = 1;
	if (top > 2 * 65536)
		top = 2 * 65536;
	if (!s)
		return -ENOMEM;
	s->m = calloc(top, sizeof(*s->m));
	if (!s->m) {
		free(s);
		return -ENOMEM;
	}
	s->top = top;
	s->sticky = sticky;
	*out = s;
	return 0;
}

void series_delete(struct series *s)
{
	if (!s)
		return;
	free(s->m);
	free(s);
}

static int key_cmp(const struct series_key *a, const struct series_key *b)
{
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if (a->dir != b->dir)
		return a->dir < b->dir ? -1 : 1;
	return a->state == b->state ? 0 : a->state < b->state ? -1 : 1;
}

static struct member *find(const struct series *s, const struct series_key *key)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = key_cmp(&s->m[mid].key, key);

		if (c == 0)
			return &s->m[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int member_cmp(const void *a, const void *b)
{
	const struct member *x = a, *y = b;

	return key_cmp(&x->key, &y->key);
}

/* What the sort ranks by, for the "twice as many" test; a sort by port
 * has no such measure (series_update_by()'s by_value false): then only
 * ranks count. */
static uint64_t row_value(const struct table_row *r, const struct table_sort *sort)
{
	switch (sort->key) {
	case TABLE_SORT_TOTAL:
		return r->total;
	case TABLE_SORT_STATE:
		return r->n[sort->state];
	default:
		return 0;
	}
}

/* The member that ranks worst (absent ones first), or NULL. */
static struct member *weakest(struct series *s)
{
	struct member *w = NULL;

	for (size_t i = 0; i < s->n; i++)
		if (!w || s->m[i].rank > w->rank)
			w = &s->m[i];
	return w;
}

int series_update_by(struct series *s, size_t n, series_at_fn *at, const void *ctx,
		     bool by_value)
{
	size_t kept = 0, limit = s->top > SIZE_MAX / 2 ? SIZE_MAX : 2 * s->top;
	struct series_key key;
	uint64_t v;

	/* An absent member ranks after every row: on a host with few rows
	 * it stays, exported as zeros, which is what it counts. */
	for (size_t i = 0; i < s->n; i++) {
		s->m[i].rank = n;
		s->m[i].value = 0;
		s->m[i].present = false;
	}
	for (size_t r = 0; r < n; r++) {
		struct member *m;

		at(ctx, r, &key, &v);
		if ((m = find(s, &key))) {
			m->rank = r;
			m->present = true;
			m->value = v;
		}
	}
	/* Members ranking past twice the bound leave (unless sticky). */
	for (size_t i = 0; i < s->n; i++)
		if (s->sticky || s->m[i].rank < limit)
			s->m[kept++] = s->m[i];
	s->n = kept;
	/* Rows of the top ranks enter free slots, or displace a weak member
	 * ranking past the bound when they count more than twice as much. */
	for (size_t r = 0; r < n && r < s->top; r++) {
		struct member *slot, *w;

		at(ctx, r, &key, &v);
		if (find(s, &key))
			continue;
		if (s->n < s->top) {
			slot = &s->m[s->n++];
		} else {
			w = weakest(s);
			/* An allowlist's member gives way only when absent. */
			if (!w || w->rank < s->top || (s->sticky && w->present) ||
			    ((!by_value || v / 2 <= w->value) && w->present))
				continue;
			slot = w;
		}
		*slot = (struct member){ .key = key, .rank = r, .value = v, .present = true };
		qsort(s->m, s->n, sizeof(*s->m), member_cmp);
	}
	return 0;
}

struct rows_ctx {
	const struct table_row *const *rows;
	const struct table_sort *sort;
};

static void row_at(const void *ctx, size_t r, struct series_key *key, uint64_t *value)
{
	const struct rows_ctx *c = ctx;

	*key = (struct series_key){ .port = c->rows[r]->port, .dir = c->rows[r]->dir };
	*value = row_value(c->rows[r], c->sort);
}

int series_update(struct series *s, const struct table_row *const *rows, size_t n,
		  const struct table_sort *sort)
{
	struct rows_ctx c = { .rows = rows, .sort = sort };

	return series_update_by(s, n, row_at, &c, sort->key != TABLE_SORT_PORT);
}

bool series_has(const struct series *s, uint16_t port, uint8_t dir)
{
	return series_has_key(s, &(struct series_key){ .port = port, .dir = dir });
}

bool series_has_key(const struct series *s, const struct series_key *key)
{
	return find(s, key) != NULL;
}

size_t series_count(const struct series *s)
{
	return s->n;
}

void series_get(const struct series *s, size_t i, uint16_t *port, uint8_t *dir)
{
	*port = s->m[i].key.port;
	*dir = s->m[i].key.dir;
}

struct series_key series_get_key(const struct series *s, size_t i)
{
	return s->m[i].key;
}

bool series_present(const struct series *s, size_t i)
{
	return s->m[i].present;
}

/* ---- one set per namespace ---- */

struct map_entry {
	char *label;
	struct series *s;
	bool seen;
};

struct series_map {
	size_t top;
	bool sticky;
	struct map_entry *v;
	size_t n, cap;
};

int series_map_new(struct series_map **out, size_t top, bool sticky)
{
	struct series_map *m = calloc(1, sizeof(*m));

	*out = m;
	if (!m)
		return -ENOMEM;
	m->top = top;
	m->sticky = sticky;
	return 0;
}

void series_map_delete(struct series_map *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].label);
		series_delete(m->v[i].s);
	}
	free(m->v);
	free(m);
}

void series_map_begin(struct series_map *m)
{
	for (size_t i = 0; i < m->n; i++)
		m->v[i].seen = false;
}

struct series *series_map_get(struct series_map *m, const char *label)
{
	struct map_entry *e;

	/* Linear: a host lists hundreds of namespaces, not millions, and a
	 * scrape looks each up once. */
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->v[i].label, label) == 0) {
			m->v[i].seen = true;
			return m->v[i].s;
		}
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;
		struct map_entry *nv = realloc(m->v, cap * sizeof(*nv));

		if (!nv)
			return NULL;
		m->v = nv;
		m->cap = cap;
	}
	e = &m->v[m->n];
	e->label = strdup(label);
	if (!e->label)
		return NULL;
	if (series_new(&e->s, m->top, m->sticky) < 0) {
		free(e->label);
		return NULL;
	}
	e->seen = true;
	m->n++;
	return e->s;
}

void series_map_sweep(struct series_map *m)
{
	size_t kept = 0;

	for (size_t i = 0; i < m->n; i++) {
		if (m->v[i].seen) {
			m->v[kept++] = m->v[i];
			continue;
		}
		free(m->v[i].label);
		series_delete(m->v[i].s);
	}
	m->n = kept;
}
