/* SPDX-License-Identifier: MIT */
/*
 * series: which (port, direction) rows, or (port, direction, state) leak
 * groups, a Prometheus output exports, kept
 * from one sample to the next so that series stay stable.  A row once
 * exported stays exported (all of its states, zeros included) while its
 * rank stays within twice the bound; a new row enters when a slot is free,
 * or displaces the weakest member that ranks past the bound when it
 * counts more than twice as many (an absent member, counting nothing,
 * gives way to any row of the top ranks).  An absent member ranks after
 * every row of the sample.  With sticky membership (a -p allowlist)
 * members leave only when absent and a new row needs the slot.  At most @top rows are members: the
 * cardinality bound.
 */
#ifndef PORTSTAT_SERIES_H
#define PORTSTAT_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "table.h"

struct series;

/* What a member is: a report's row (state 0) or a leak group. */
struct series_key {
	uint16_t port;
	uint8_t dir;		/* enum table_dir */
	uint8_t state;		/* enum tcp_state; 0 for a report's row */
};

/* series_new - an empty exported set of at most @top rows (at least 1).
 * 0 or -ENOMEM. */
int series_new(struct series **out, size_t top, bool sticky);

/* series_delete - free; accepts NULL. */
void series_delete(struct series *s);

/*
 * series_update - choose the members for one sample: @rows are the
 * sample's @n rows sorted in @sort's order (view_sorted_rows()).  Returns
 * 0 (it never allocates).
 */
int series_update(struct series *s, const struct table_row *const *rows, size_t n,
		  const struct table_sort *sort);

/*
 * series_update_by - the same for any ranking: @n items in rank order,
 * @at(@ctx, r, ...) giving the r-th one's key and the measure it ranks by.
 * With @by_value false (a ranking by port) the "twice as many" test has
 * no measure and a member ranking past the bound gives way only when
 * absent.  Returns 0 (it never allocates).
 */
typedef void series_at_fn(const void *ctx, size_t r, struct series_key *key, uint64_t *value);
int series_update_by(struct series *s, size_t n, series_at_fn *at, const void *ctx,
		     bool by_value);

/* series_has - whether (@port, @dir) is a member; series_has_key - @key. */
bool series_has(const struct series *s, uint16_t port, uint8_t dir);
bool series_has_key(const struct series *s, const struct series_key *key);

/* series_count - how many members; series_get - the @i-th by (port, dir). */
size_t series_count(const struct series *s);
void series_get(const struct series *s, size_t i, uint16_t *port, uint8_t *dir);
struct series_key series_get_key(const struct series *s, size_t i);
/* series_present - whether the @i-th member was among the rows of the last
 * series_update() (an absent member is exported with zeros). */
bool series_present(const struct series *s, size_t i);

/*
 * A set of exported sets, one per namespace label, swept like htop's
 * rows: series_map_begin() marks all unseen, series_map_get() finds or
 * makes the label's set (and marks it seen), series_map_sweep() frees the
 * unseen ones, so a namespace that went away costs nothing.
 */
struct series_map;

int series_map_new(struct series_map **out, size_t top, bool sticky);
void series_map_delete(struct series_map *m);
void series_map_begin(struct series_map *m);
/* NULL when out of memory. */
struct series *series_map_get(struct series_map *m, const char *label);
void series_map_sweep(struct series_map *m);

#endif
