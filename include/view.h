/*
 * view: renderers of a finished sample to a FILE.  Views read a table and
 * never touch netlink; each format is one file (view_text.c, view_json.c,
 * view_csv.c, view_prom.c).
 */
#ifndef PORTSTAT_VIEW_H
#define PORTSTAT_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "table.h"

/* One sample as the views see it; everything is borrowed. */
struct view_sample {
	const struct table *table;
	struct timespec time;
	const char *netns;	/* the namespace asked for, NULL for our own */
	bool complete;
	const char *note;	/* why incomplete, or NULL */
	double cost_ms;		/* how long the sample took */
};

struct view_opts {
	struct table_sort sort;
	size_t top;		/* rows to show, 0 = all */
	bool header;		/* column header line (text, CSV) */
	bool stamp;		/* text: a "# TIME" line before each sample */
	bool first;		/* CSV: the first sample of the run */
};

/* Each returns 0, or -EIO when writing to @out failed. */
int view_text_render(FILE *out, const struct view_sample *s, const struct view_opts *o);
int view_json_render(FILE *out, const struct view_sample *s, const struct view_opts *o);
int view_csv_render(FILE *out, const struct view_sample *s, const struct view_opts *o);
int view_prom_render(FILE *out, const struct view_sample *s, const struct view_opts *o);

/* The Prometheus metric families, in output order. */
enum {
	VIEW_PROM_SOCKETS,
	VIEW_PROM_PORT_SOCKETS,
	VIEW_PROM_DURATION,
	VIEW_PROM_COMPLETE,
	VIEW_PROM_FAMILIES,
};

/* view_prom_header - the HELP and TYPE lines of @family. */
void view_prom_header(FILE *out, int family);

/* view_prom_family - the series of @family for one sample, labelled with
 * netns="@netns" unless @netns is NULL.  0, -ENOMEM or -EIO. */
int view_prom_family(FILE *out, int family, const struct view_sample *s,
		     const struct view_opts *o, const char *netns);

/* view_csv_header - the CSV header line. */
void view_csv_header(FILE *out);

/* view_digits - decimal digits of @v, for column widths. */
int view_digits(uint64_t v);

/* view_shown - how many of @n sorted rows o->top lets a view show. */
size_t view_shown(const struct view_opts *o, size_t n);

/* view_json_string - @s as a JSON string literal, quotes included. */
void view_json_string(FILE *out, const char *s);

/* view_format_time - "2026-11-24T10:00:00Z" (UTC, seconds) into @buf. */
void view_format_time(const struct timespec *ts, char *buf, size_t len);

/* view_sorted_rows - all the table's rows in @o's order; *n receives how
 * many (o->top is the caller's to apply).  Caller frees.  NULL only when
 * out of memory with rows to sort. */
const struct table_row **view_sorted_rows(const struct table *t,
					  const struct view_opts *o, size_t *n);

#endif
