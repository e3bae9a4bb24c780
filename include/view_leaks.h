/* SPDX-License-Identifier: MIT */
/*
 * view_leaks: renderers of one `portstat leaks` sample (text, JSON, CSV,
 * Prometheus).  Like the report's views they read a finished model and
 * write to a FILE; the plugin status line (verdict and performance data)
 * is built here too, so tests can check it alone.
 */
#ifndef PORTSTAT_VIEW_LEAKS_H
#define PORTSTAT_VIEW_LEAKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "leaks.h"
#include "view.h"

/* One sample as the leak views see it; everything is borrowed. */
struct view_leaks {
	const struct leaks *leaks;
	struct timespec time;
	const char *netns;		/* the namespace asked for, NULL for our own */
	enum leaks_status status;
	long worst;			/* group the verdict is about, -1: none */
	bool tracking;			/* growth is meaningful (-i / replays) */
	bool complete;
	const char *note;		/* why incomplete, or NULL */
	const struct leaks_thresholds *th;	/* for perfdata's warn and crit
						 * fields; NULL: none set */
	bool section;			/* a namespace's section under --all-netns'
					 * one status line: no perfdata of its own */
	/* Prometheus: the namespace's container and pod (labels), NULL
	 * for none; and the exported groups kept across samples
	 * (series.h), NULL to export the first o->top groups. */
	const struct holder *holder;
	struct series *series;
};

/* Each returns 0, or -EIO when writing to @out failed.  o->top limits the
 * groups shown, o->header the column header, o->stamp adds a "# TIME" line
 * before each sample (text), o->first the CSV header. */
int view_leaks_text(FILE *out, const struct view_leaks *s, const struct view_opts *o);
int view_leaks_json(FILE *out, const struct view_leaks *s, const struct view_opts *o);
int view_leaks_csv(FILE *out, const struct view_leaks *s, const struct view_opts *o);

/*
 * view_leaks_prom - the sample as Prometheus text exposition, HELP and TYPE
 * included, every family in turn (what `leaks -f prometheus` prints and
 * `serve --leaks` serves).  Per group (port, direction, state) shown:
 * portstat_leak_sockets, portstat_leak_oldest_seconds (only where an age is
 * known) and portstat_leak_growth_sockets_per_second (only where growth
 * is); groups past o->top are summed under port="other"; owners as
 * portstat_leak_process_sockets (at most o->top a group, the rest under
 * pid="other"); then portstat_leak_status (the plugin status, 0-3) and
 * portstat_leak_sample_complete.  @netns, when not NULL, labels every
 * series netns="..." (escaped; untrusted) and s->holder's container and
 * pod.  With s->series the groups exported are its members, chosen here
 * (view_leaks_prom_select()); a member the sample no longer holds is
 * exported as portstat_leak_sockets 0 (it has no age, growth or owner
 * to say), and the groups that are not members are summed under
 * port="other".  Returns 0, or -EIO when writing to @out failed.
 */
int view_leaks_prom(FILE *out, const struct view_leaks *s, const struct view_opts *o,
		    const char *netns);

/* The families of view_leaks_prom(), for callers that render several
 * namespaces: a family's series must stay together under its one HELP and
 * TYPE, so such a caller writes, for each family, the header once and
 * then view_leaks_prom_family() for each namespace. */
enum {
	VIEW_LEAKS_PROM_SOCKETS,
	VIEW_LEAKS_PROM_OLDEST,
	VIEW_LEAKS_PROM_GROWTH,
	VIEW_LEAKS_PROM_PROCESSES,
	VIEW_LEAKS_PROM_STATUS,
	VIEW_LEAKS_PROM_COMPLETE,
	VIEW_LEAKS_PROM_FAMILIES
};

/* view_leaks_prom_header - the HELP and TYPE lines of @family. */
void view_leaks_prom_header(FILE *out, int family);

/* view_leaks_prom_select - with s->series, choose its members for this
 * sample: each group (port, direction, state) a row ranked by its count,
 * under series.h's hysteresis and bound.  Once a sample, before its
 * families.  Returns 0. */
int view_leaks_prom_select(const struct view_leaks *s);

/* view_leaks_prom_all - the @n samples @s (one per namespace, NULL ones
 * skipped) as one exposition: each family's header once, then its series
 * of every sample labelled with that sample's netns (and container, pod);
 * the members of each s->series chosen first.  Returns 0 or -EIO. */
int view_leaks_prom_all(FILE *out, const struct view_leaks *const *s, size_t n,
			const struct view_opts *o);

/* view_leaks_prom_family - the series of @family for one sample, labelled
 * with @netns when not NULL.  Returns 0 or -EIO. */
int view_leaks_prom_family(FILE *out, int family, const struct view_leaks *s,
			   const struct view_opts *o, const char *netns);

/*
 * view_leaks_perfdata - the plugin's performance data (Monitoring Plugins
 * Development Guidelines): for each state reported, 'STATE'=total;warn;crit;0
 * (the sockets in that state over all groups; warn and crit from --warn
 * and --crit, which apply to each group) and 'oldest_STATE'=AGEs;warn;crit;0
 * (from --warn-age and --crit-age; U when some socket in the state has no
 * known age and none has one, 0s when the state has no sockets).  Labels
 * are quoted.  Cut at a metric boundary to what @buf holds.
 */
void view_leaks_perfdata(const struct view_leaks *s, char *buf, size_t len);

/* view_leaks_perf_metric - append one metric "'label'=value;warn;crit;0"
 * (label quoted, a quote doubled; warn and crit empty when not set) at
 * @buf + *n, *n advanced; a metric that does not fit in @len is left out
 * whole.  Shared by every plugin-style command (leaks, doctor). */
void view_leaks_perf_metric(char *buf, size_t len, size_t *n, const char *label,
			    const char *value, bool has_warn, uint64_t warn, bool has_crit,
			    uint64_t crit);

/* view_leaks_perfdata_all - the same over the @n samples @s (one per
 * namespace, NULL ones skipped): counts summed, the oldest age the largest. */
void view_leaks_perfdata_all(const struct view_leaks *const *s, size_t n, char *buf, size_t len);

/* view_leaks_status_line - a monitoring plugin's first line: @verdict (its
 * names already in text form, '|' escaped), then " | " and the perfdata
 * unless s->section; with o->stamp the "# TIME" line after it. */
void view_leaks_status_line(FILE *out, const struct view_leaks *s, const struct view_opts *o,
			    const char *verdict);

/* view_leaks_verdict - the one-line verdict, e.g. "CRITICAL: 812
 * CLOSE_WAIT on :8080 held by java[4121], +40/min, oldest 2h13m". */
void view_leaks_verdict(const struct view_leaks *s, char *buf, size_t len);

/* view_leaks_age - "45s", "3m05s", "2h13m", "4d07h". */
void view_leaks_age(uint64_t secs, char *buf, size_t len);

#endif
