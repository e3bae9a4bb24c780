/*
 * view_json: one JSON object per sample on one line, exactly the shape of
 * DESIGN.md so scripts and jq can rely on it.  An incomplete sample adds
 * "complete":false and "error" at the end.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "view.h"

int view_json_render(FILE *out, const struct view_sample *s, const struct view_opts *o)
{
	const struct table *t = s->table;
	char when[32];
	size_t n, shown;
	const struct table_row **rows = view_sorted_rows(t, o, &n);

	if (!rows)
		return -ENOMEM;
	shown = view_shown(o, n);
	view_format_time(&s->time, when, sizeof(when));
	fprintf(out, "{\"version\":1,\"time\":\"%s\",\"netns\":", when);
	if (s->netns)
		view_json_string(out, s->netns);
	else
		fputs("null", out);
	fprintf(out, ",\"sockets\":%" PRIu64 ",\"states\":{", table_total(t));
	for (int i = 0; i < TCP_STATE_COUNT; i++) {
		enum tcp_state st = tcp_state_order[i];

		fprintf(out, "%s\"%s\":%" PRIu64, i ? "," : "", tcp_state_name(st),
			table_state_total(t, st));
	}
	fputs("},\"ports\":[", out);
	for (size_t r = 0; r < shown; r++) {
		const struct table_row *row = rows[r];
		int first = 1;

		fprintf(out, "%s{\"port\":%u,\"direction\":\"%s\",\"total\":%" PRIu64 ",\"states\":{",
			r ? "," : "", row->port, row->dir == TABLE_DIR_IN ? "in" : "out", row->total);
		for (int i = 0; i < TCP_STATE_COUNT; i++) {
			enum tcp_state st = tcp_state_order[i];

			if (!row->n[st])
				continue;
			fprintf(out, "%s\"%s\":%" PRIu32, first ? "" : ",", tcp_state_name(st), row->n[st]);
			first = 0;
		}
		fputs("}}", out);
	}
	fputc(']', out);
	if (!s->complete) {
		fputs(",\"complete\":false,\"error\":", out);
		view_json_string(out, s->note ? s->note : "incomplete dump");
	}
	fputs("}\n", out);
	free(rows);
	return ferror(out) ? -EIO : 0;
}
