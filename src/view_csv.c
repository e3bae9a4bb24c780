/* SPDX-License-Identifier: MIT */
/*
 * view_csv: one row per (port, direction) with every state as a column, so
 * the columns never depend on the data; the time and namespace columns make
 * rows of repeated samples (-i) self-describing.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "strenc.h"
#include "view.h"

void view_csv_field(FILE *out, const char *s)
{
	strenc_csv(out, s);
}

void view_csv_header(FILE *out)
{
	fputs("time,netns,port,direction", out);
	for (int i = 0; i < TCP_STATE_COUNT; i++)
		fprintf(out, ",%s", tcp_state_name(tcp_state_order[i]));
	fputs(",total\n", out);
}

int view_csv_render(FILE *out, const struct view_sample *s, const struct view_opts *o)
{
	char when[32];
	size_t n, shown;
	const struct table_row **rows = view_sorted_rows(s->table, o, &n);

	if (!rows)
		return -ENOMEM;
	shown = view_shown(o, n);
	view_format_time(&s->time, when, sizeof(when));
	if (o->header && o->first)
		view_csv_header(out);
	for (size_t r = 0; r < shown; r++) {
		const struct table_row *row = rows[r];

		fprintf(out, "%s,", when);
		view_csv_field(out, s->netns ? s->netns : "");
		fprintf(out, ",%u,%s", row->port, row->dir == TABLE_DIR_IN ? "in" : "out");
		for (int i = 0; i < TCP_STATE_COUNT; i++)
			fprintf(out, ",%" PRIu32, row->n[tcp_state_order[i]]);
		fprintf(out, ",%" PRIu64 "\n", row->total);
	}
	free(rows);
	return ferror(out) ? -EIO : 0;
}
