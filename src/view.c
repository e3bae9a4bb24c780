/* SPDX-License-Identifier: MIT */
/*
 * view: what the renderers share: row order, time stamps, JSON strings
 * (encoded by strenc, like every untrusted string).
 */
#include <stdlib.h>

#include "strenc.h"
#include "view.h"

void view_format_time(const struct timespec *ts, char *buf, size_t len)
{
	struct tm tm;

	if (!gmtime_r(&ts->tv_sec, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "1970-01-01T00:00:00Z");
}

const struct table_row **view_sorted_rows(const struct table *t,
					  const struct view_opts *o, size_t *n)
{
	size_t nrows = table_nrows(t);
	const struct table_row **rows = calloc(nrows ? nrows : 1, sizeof(*rows));

	*n = 0;
	if (!rows)
		return NULL;
	table_sorted(t, &o->sort, rows);
	*n = nrows;
	return rows;
}

int view_digits(uint64_t v)
{
	int d = 1;

	while (v >= 10) {
		v /= 10;
		d++;
	}
	return d;
}

size_t view_shown(const struct view_opts *o, size_t n)
{
	return o->top && o->top < n ? o->top : n;
}

void view_json_string(FILE *out, const char *s)
{
	strenc_json(out, s);
}
