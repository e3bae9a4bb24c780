/*
 * view_leaks: renderers of one `portstat leaks` sample (text, JSON, CSV).
 * Like the report's views they read a finished model and write to a FILE;
 * the verdict line is built here too, so tests can check it alone.
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
};

/* Each returns 0, or -EIO when writing to @out failed.  o->top limits the
 * groups shown, o->header the column header, o->stamp adds a "# TIME" line
 * before each sample (text), o->first the CSV header. */
int view_leaks_text(FILE *out, const struct view_leaks *s, const struct view_opts *o);
int view_leaks_json(FILE *out, const struct view_leaks *s, const struct view_opts *o);
int view_leaks_csv(FILE *out, const struct view_leaks *s, const struct view_opts *o);

/* view_leaks_verdict - the one-line verdict, e.g. "CRITICAL: 812
 * CLOSE_WAIT on :8080 held by java[4121], +40/min, oldest 2h13m". */
void view_leaks_verdict(const struct view_leaks *s, char *buf, size_t len);

/* view_leaks_age - "45s", "3m05s", "2h13m", "4d07h". */
void view_leaks_age(uint64_t secs, char *buf, size_t len);

#endif
