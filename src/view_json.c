/* SPDX-License-Identifier: MIT */
/*
 * view_json: one JSON object per sample on one line, exactly the shape of
 * DESIGN.md so scripts and jq can rely on it.  An incomplete sample adds
 * "complete":false and "error" at the end.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "view.h"

void view_json_head(FILE *out, const struct view_sample *s)
{
	const struct table *t = s->table;
	char when[32];

	view_format_time(&s->time, when, sizeof(when));
	fprintf(out, "{\"version\":1,\"time\":\"%s\",\"netns\":", when);
	if (s->netns)
		view_json_string(out, s->netns);
	else
		fputs("null", out);
	/* A container's namespace: what holds it (the hostname is
	 * untrusted; the id and UID were checked to be hex). */
	if (s->holder && s->holder->container[0]) {
		fprintf(out, ",\"container\":\"%s\",\"pod_uid\":", s->holder->container);
		if (s->holder->pod_uid[0])
			fprintf(out, "\"%s\"", s->holder->pod_uid);
		else
			fputs("null", out);
		fputs(",\"hostname\":", out);
		if (s->holder->hostname[0])
			view_json_string(out, s->holder->hostname);
		else
			fputs("null", out);
	}
	fprintf(out, ",\"sockets\":%" PRIu64 ",\"states\":{", table_total(t));
	for (int i = 0; i < TCP_STATE_COUNT; i++) {
		enum tcp_state st = tcp_state_order[i];

		fprintf(out, "%s\"%s\":%" PRIu64, i ? "," : "", tcp_state_name(st),
			table_state_total(t, st));
	}
	fputc('}', out);
}

void view_json_states(FILE *out, const uint32_t *n)
{
	int first = 1;

	fputc('{', out);
	for (int i = 0; i < TCP_STATE_COUNT; i++) {
		enum tcp_state st = tcp_state_order[i];

		if (!n[st])
			continue;
		fprintf(out, "%s\"%s\":%" PRIu32, first ? "" : ",", tcp_state_name(st), n[st]);
		first = 0;
	}
	fputc('}', out);
}

int view_json_tail(FILE *out, const struct view_sample *s)
{
	if (!s->complete) {
		fputs(",\"complete\":false,\"error\":", out);
		view_json_string(out, s->note ? s->note : "incomplete dump");
	}
	fputs("}\n", out);
	return ferror(out) ? -EIO : 0;
}

int view_json_render(FILE *out, const struct view_sample *s, const struct view_opts *o)
{
	size_t n, shown;
	const struct table_row **rows = view_sorted_rows(s->table, o, &n);
	int ret;

	if (!rows)
		return -ENOMEM;
	shown = view_shown(o, n);
	view_json_head(out, s);
	fputs(",\"ports\":[", out);
	for (size_t r = 0; r < shown; r++) {
		const struct table_row *row = rows[r];

		fprintf(out, "%s{\"port\":%u,\"direction\":\"%s\",\"total\":%" PRIu64 ",\"states\":",
			r ? "," : "", row->port, row->dir == TABLE_DIR_IN ? "in" : "out", row->total);
		view_json_states(out, row->n);
		fputc('}', out);
	}
	fputc(']', out);
	ret = view_json_tail(out, s);
	free(rows);
	return ret;
}
