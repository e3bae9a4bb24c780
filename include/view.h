/* SPDX-License-Identifier: MIT */
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

#include "holder.h"
#include "owners.h"
#include "series.h"
#include "table.h"

/* One sample as the views see it; everything is borrowed. */
struct view_sample {
	const struct table *table;
	struct timespec time;
	const char *netns;	/* the namespace asked for, NULL for our own */
	bool complete;
	const char *note;	/* why incomplete, or NULL */
	double cost_ms;		/* how long the sample took */
	const struct owners *owners;	/* --by process|cgroup: the rows */
	/* --all-netns: the container holding the namespace, or NULL */
	const struct holder *holder;
};

struct view_opts {
	struct table_sort sort;
	size_t top;		/* rows to show, 0 = all */
	bool header;		/* column header line (text, CSV) */
	bool stamp;		/* text: a "# TIME" line before each sample */
	bool first;		/* CSV: the first sample of the run */
	/* text: a SERVICE column with these names (services.h, borrowed);
	 * NULL: none (-n) */
	const struct services *services;
	/* Prometheus: the exported rows, kept across samples (series.h);
	 * NULL: the first o->top rows of this sample alone. */
	struct series *series;
};

/* Each returns 0, or -EIO when writing to @out failed. */
int view_text_render(FILE *out, const struct view_sample *s, const struct view_opts *o);
int view_json_render(FILE *out, const struct view_sample *s, const struct view_opts *o);
int view_csv_render(FILE *out, const struct view_sample *s, const struct view_opts *o);
int view_prom_render(FILE *out, const struct view_sample *s, const struct view_opts *o);

/* The report with rows per owner (s->owners, --by process|cgroup). */
int view_owners_text(FILE *out, const struct view_sample *s, const struct view_opts *o);
int view_owners_json(FILE *out, const struct view_sample *s, const struct view_opts *o);
int view_owners_csv(FILE *out, const struct view_sample *s, const struct view_opts *o);
int view_owners_prom(FILE *out, const struct view_sample *s, const struct view_opts *o);

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

/* view_prom_ns_labels - 'netns="@netns"' (escaped; untrusted), then the
 * container="ID" and pod="NAME" of a container's namespace (@h, NULL for
 * none; a Kubernetes pod's hostname is its name), then @sep; nothing when
 * @netns is NULL.  Every family labelled by namespace says it this way. */
void view_prom_ns_labels(FILE *out, const char *netns, const struct holder *h, const char *sep);

/* view_prom_family - the series of @family for one sample, labelled with
 * netns="@netns" unless @netns is NULL.  0, -ENOMEM or -EIO. */
int view_prom_family(FILE *out, int family, const struct view_sample *s,
		     const struct view_opts *o, const char *netns);

/* ---- text grid, shared by the port and the owner reports ---- */

#define VIEW_KEYS_MAX	3

struct services;

/* One line of the text report: its key cells (PORT, DIR / PID, COMMAND /
 * CGROUP) and counts. */
struct view_line {
	char buf[VIEW_KEYS_MAX][24];	/* storage for short keys */
	const char *key[VIEW_KEYS_MAX];
	uint64_t n[TCP_STATE_MAX + 1];
	uint64_t total;
};

/*
 * view_text_grid - @ngrid lines (the last one the totals) under the key
 * titles @head (@nkeys of them), aligned: key columns left, the state
 * columns the filter selects that are non-zero or always shown, TOTAL.
 * With o->stamp a "# TIME" line first; an incomplete sample a note last.
 */
int view_text_grid(FILE *out, const struct view_sample *s, const struct view_opts *o,
		   const char *const *head, int nkeys, const struct view_line *grid,
		   size_t ngrid);

/* view_service - the service name shown for @port of table @t, from @svc:
 * NULL for none (also when @svc is NULL), and for a port in the ephemeral
 * range (a client's). */
const char *view_service(const struct table *t, const struct services *svc, uint16_t port);

/* view_line_add - add a row's counts @n and @total into @l ("other"). */
void view_line_add(struct view_line *l, const uint32_t *n, uint64_t total);

/* view_line_totals - @l as the "total" line of @t. */
void view_line_totals(struct view_line *l, const struct table *t, int nkeys);

/* view_csv_header - the CSV header line. */
void view_csv_header(FILE *out);

/* view_csv_field - @s (untrusted) as one CSV field: strenc_csv(). */
void view_csv_field(FILE *out, const char *s);

/* view_prom_value - @v (untrusted) as a label value, no quotes:
 * strenc_prom(). */
void view_prom_value(FILE *out, const char *v);

/* view_digits - decimal digits of @v, for column widths. */
int view_digits(uint64_t v);

/* view_shown - how many of @n sorted rows o->top lets a view show. */
size_t view_shown(const struct view_opts *o, size_t n);

/* The JSON object of a sample, as both kinds of rows share it:
 * view_json_head - '{"version":1,"time":..,"netns":..,"sockets":N,
 * "states":{all eleven}' (the object left open); view_json_states - the
 * non-zero states of @n as an object; view_json_tail - "complete":false
 * and "error" when the sample is incomplete, then the closing brace and
 * newline (0 or -EIO). */
void view_json_head(FILE *out, const struct view_sample *s);
void view_json_states(FILE *out, const uint32_t *n);
int view_json_tail(FILE *out, const struct view_sample *s);

/* view_json_string - @s (untrusted) as a JSON string literal, quotes
 * included: strenc_json(). */
void view_json_string(FILE *out, const char *s);

/* view_format_time - "2026-11-24T10:00:00Z" (UTC, seconds) into @buf. */
void view_format_time(const struct timespec *ts, char *buf, size_t len);

/* view_sorted_rows - all the table's rows in @o's order; *n receives how
 * many (o->top is the caller's to apply).  Caller frees.  NULL only when
 * out of memory with rows to sort. */
const struct table_row **view_sorted_rows(const struct table *t,
					  const struct view_opts *o, size_t *n);

#endif
