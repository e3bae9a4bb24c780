/* SPDX-License-Identifier: MIT */
/*
 * top_hist: the dashboard's per-row history, kept htop style: every sample
 * marks all rows unseen, refreshes the rows the sample holds and sweeps the
 * rest, so memory follows the rows on screen and a port (or namespace)
 * that goes away takes its history with it; the rates per second and the
 * sparkline series come from it, and the sparkline's scaling and glyphs.
 * Declared in top_model.h; tested in check_top_model.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strenc.h"
#include "top_model.h"
#include "u64map.h"

struct top_hist {
	struct u64map *index;		/* hist_key() -> row + 1 */
	struct top_hist_row *rows;
	size_t nrows, cap;
	unsigned long samples;
	double dt;			/* seconds since the previous sample */
	bool has_prev;			/* prev_n is the previous sample's */
	uint64_t n[TCP_STATE_MAX + 1], prev_n[TCP_STATE_MAX + 1];
};

static uint64_t hist_key(uint32_t ns, uint16_t port, uint8_t dir)
{
	return (uint64_t)ns << 17 | (uint64_t)(dir & 1) << 16 | port;
}

struct top_hist *top_hist_new(void)
{
	struct top_hist *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->index = u64map_new(256);
	if (!h->index) {
		free(h);
		return NULL;
	}
	return h;
}

void top_hist_delete(struct top_hist *h)
{
	if (!h)
		return;
	u64map_delete(h->index);
	free(h->rows);
	free(h);
}

/* The index of the row of (@ns, @port, @dir), created empty (*fresh) when
 * new; SIZE_MAX when out of memory. */
static size_t hist_get(struct top_hist *h, uint32_t ns, uint16_t port, uint8_t dir,
		       bool *fresh)
{
	uint64_t idx;
	struct top_hist_row *r;
	uint64_t *slot;

	*fresh = !u64map_get(h->index, hist_key(ns, port, dir), &idx);
	if (!*fresh)
		return (size_t)idx - 1;
	if (h->nrows == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;
		struct top_hist_row *nr = realloc(h->rows, cap * sizeof(*nr));

		if (!nr)
			return SIZE_MAX;
		h->rows = nr;
		h->cap = cap;
	}
	slot = u64map_slot(h->index, hist_key(ns, port, dir), NULL);
	if (!slot)
		return SIZE_MAX;
	r = &h->rows[h->nrows++];
	memset(r, 0, sizeof(*r));
	r->ns = ns;
	r->port = port;
	r->dir = dir;
	/* A row that appears between two samples grew from nothing: its
	 * rate is its count, not unknown. */
	r->has_prev = h->samples > 0;
	*slot = h->nrows;
	return h->nrows - 1;
}

static void hist_push(struct top_hist_row *r)
{
	r->h_cw[r->head] = r->n[TCP_STATE_CLOSE_WAIT];
	r->h_total[r->head] = r->total > UINT32_MAX ? UINT32_MAX : (uint32_t)r->total;
	r->head = (r->head + 1) % TOP_HIST_LEN;
	if (r->len < TOP_HIST_LEN)
		r->len++;
}

/* Refresh the rows of one namespace's table. */
static int hist_take(struct top_hist *h, const struct top_ns *ns)
{
	size_t nt = table_nrows(ns->table);
	int ret = 0;

	for (size_t i = 0; i < nt; i++) {
		const struct table_row *tr = table_row(ns->table, i);
		bool fresh;
		size_t k = hist_get(h, ns->id, tr->port, tr->dir, &fresh);
		struct top_hist_row *r;

		if (k == SIZE_MAX) {
			ret = -ENOMEM;
			continue;
		}
		r = &h->rows[k];
		if (!fresh) {
			memcpy(r->prev, r->n, sizeof(r->prev));
			r->prev_total = r->total;
			r->has_prev = true;
		}
		memcpy(r->n, tr->n, sizeof(r->n));
		r->total = tr->total;
		r->seen = true;
		hist_push(r);
	}
	return ret;
}

int top_hist_update(struct top_hist *h, const struct top_ns *ns, size_t n, double dt)
{
	size_t keep = 0;
	int ret = 0;

	for (size_t i = 0; i < h->nrows; i++)
		h->rows[i].seen = false;
	for (size_t i = 0; i < n; i++)
		if (hist_take(h, &ns[i]) < 0)
			ret = -ENOMEM;
	/* Sweep: compact the rows that were seen and index them afresh (no
	 * more keys than before, so the map does not grow). */
	u64map_clear(h->index);
	for (size_t i = 0; i < h->nrows; i++) {
		struct top_hist_row *r = &h->rows[i];
		uint64_t *slot;

		if (!r->seen)
			continue;
		slot = u64map_slot(h->index, hist_key(r->ns, r->port, r->dir), NULL);
		if (!slot) {
			ret = -ENOMEM;
			continue;
		}
		if (keep != i)
			h->rows[keep] = *r;
		*slot = ++keep;
	}
	h->nrows = keep;

	memcpy(h->prev_n, h->n, sizeof(h->prev_n));
	for (int s = 0; s <= TCP_STATE_MAX; s++)
		h->n[s] = n ? table_state_total(ns[0].table, (enum tcp_state)s) : 0;
	h->has_prev = h->samples > 0;
	h->dt = dt;
	h->samples++;
	return ret;
}

const struct top_hist_row *top_hist_find(const struct top_hist *h, uint32_t ns,
					 uint16_t port, uint8_t dir)
{
	uint64_t i;

	return u64map_get(h->index, hist_key(ns, port, dir), &i) ? &h->rows[i - 1] : NULL;
}

unsigned long top_hist_samples(const struct top_hist *h)
{
	return h->samples;
}

bool top_hist_rate(const struct top_hist *h, const struct top_hist_row *r,
		   const struct table_sort *sort, double *rate)
{
	double cur, prev;

	if (!r->has_prev || h->dt <= 0)
		return false;
	if (sort->key == TABLE_SORT_STATE) {
		cur = r->n[sort->state];
		prev = r->prev[sort->state];
	} else {
		cur = (double)r->total;
		prev = (double)r->prev_total;
	}
	*rate = (cur - prev) / h->dt;
	return true;
}

bool top_hist_state_rate(const struct top_hist *h, enum tcp_state s, double *rate)
{
	if (!h->has_prev || h->dt <= 0 || s < 1 || s > TCP_STATE_MAX)
		return false;
	*rate = ((double)h->n[s] - (double)h->prev_n[s]) / h->dt;
	return true;
}

size_t top_hist_series(const struct top_hist_row *r, uint32_t *out, bool *is_cw)
{
	const uint32_t *src;
	unsigned start = (r->head + TOP_HIST_LEN - r->len) % TOP_HIST_LEN;

	*is_cw = r->n[TCP_STATE_CLOSE_WAIT] > 0;
	src = *is_cw ? r->h_cw : r->h_total;
	for (unsigned i = 0; i < r->len; i++)
		out[i] = src[(start + i) % TOP_HIST_LEN];
	return r->len;
}

/* ---- sparkline --------------------------------------------------------- */

int top_spark_level(uint32_t v, uint32_t max)
{
	if (v == 0 || max == 0)
		return 0;
	if (v >= max)
		return 8;
	/* ceil(8 v / max): the smallest non-zero value still shows. */
	return (int)(((uint64_t)v * 8 + max - 1) / max);
}

int top_spark_render(const uint32_t *v, size_t n, int width, bool utf8,
		     char *out, size_t outlen)
{
	static const char *const glyphs[9] = {
		" ", "\u2581", "\u2582", "\u2583", "\u2584",
		"\u2585", "\u2586", "\u2587", "\u2588",
	};
	static const char ascii[] = " .,:-=+*#";
	size_t first = n > (size_t)width ? n - (size_t)width : 0, pos = 0;
	uint32_t max = 0;

	if (width < 0 || outlen < (size_t)width * 3 + 1) {
		if (outlen)
			out[0] = '\0';
		return 0;
	}
	for (size_t i = first; i < n; i++)
		if (v[i] > max)
			max = v[i];
	for (int col = 0; col < width; col++) {
		/* Right-aligned: the newest sample is always the last cell. */
		size_t blank = (size_t)width - (n - first);
		int lvl = (size_t)col < blank ? 0 : top_spark_level(v[first + col - blank], max);

		if (utf8) {
			size_t len = strlen(glyphs[lvl]);

			memcpy(out + pos, glyphs[lvl], len);
			pos += len;
		} else {
			out[pos++] = ascii[lvl];
		}
	}
	out[pos] = '\0';
	return width;
}
