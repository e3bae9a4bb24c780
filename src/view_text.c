/* SPDX-License-Identifier: MIT */
/*
 * view_text: the aligned report.  Widths are measured over every line first
 * and printed second, so columns line up whatever the counts.  Rows past
 * --top are summed into one "other" row so the columns still add up to the
 * totals line.  Key cells may be names: written in strenc's text form and
 * aligned by display width, not bytes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "services.h"
#include "strenc.h"
#include "view.h"

/* Always shown (when selected): the states an operator looks for first. */
#define TEXT_ALWAYS (TCP_STATE_BIT(TCP_STATE_LISTEN) | TCP_STATE_BIT(TCP_STATE_ESTABLISHED) | \
		     TCP_STATE_BIT(TCP_STATE_TIME_WAIT) | TCP_STATE_BIT(TCP_STATE_CLOSE_WAIT))

const char *view_service(const struct table *t, const struct services *svc, uint16_t port)
{
	return !svc || table_port_ephemeral(t, port) ? NULL : services_name(svc, port);
}

static void line_from_row(struct view_line *l, const struct table_row *r, const char *svc)
{
	snprintf(l->buf[0], sizeof(l->buf[0]), "%u", r->port);
	l->key[0] = l->buf[0];
	l->key[1] = r->dir == TABLE_DIR_IN ? "in" : "out";
	l->key[2] = svc ? svc : "-";
	for (int s = 0; s <= TCP_STATE_MAX; s++)
		l->n[s] = r->n[s];
	l->total = r->total;
}

int view_text_grid(FILE *out, const struct view_sample *s, const struct view_opts *o,
		   const char *const *head, int nkeys, const struct view_line *grid,
		   size_t ngrid)
{
	const struct view_line *lines = grid;
	size_t nlines = ngrid;

	uint32_t selected = table_filter(s->table)->states;
	const struct view_line *tot = &lines[nlines - 1];
	enum tcp_state cols[TCP_STATE_COUNT];
	int ncols = 0, wkey[VIEW_KEYS_MAX], w[TCP_STATE_COUNT], wtotal;

	for (int k = 0; k < nkeys; k++)
		wkey[k] = strenc_text_width(head[k]);
	for (int i = 0; i < TCP_STATE_COUNT; i++) {
		enum tcp_state st = tcp_state_order[i];

		if ((selected & TCP_STATE_BIT(st)) &&
		    ((TEXT_ALWAYS & TCP_STATE_BIT(st)) || tot->n[st])) {
			cols[ncols] = st;
			w[ncols] = (int)strlen(tcp_state_label(st));
			if (view_digits(tot->n[st]) > w[ncols])
				w[ncols] = view_digits(tot->n[st]);
			ncols++;
		}
	}
	wtotal = view_digits(tot->total) > 5 ? view_digits(tot->total) : 5;
	for (size_t i = 0; i < nlines; i++)
		for (int k = 0; k < nkeys; k++)
			if (strenc_text_width(lines[i].key[k]) > wkey[k])
				wkey[k] = strenc_text_width(lines[i].key[k]);

	if (o->stamp) {
		char when[32];

		view_format_time(&s->time, when, sizeof(when));
		fprintf(out, "%s# %s\n", o->first ? "" : "\n", when);
	}
	if (o->header) {
		for (int k = 0; k < nkeys; k++) {
			fputs(k ? "  " : "", out);
			strenc_text_pad(out, head[k], wkey[k], false);
		}
		for (int c = 0; c < ncols; c++)
			fprintf(out, "  %*s", w[c], tcp_state_label(cols[c]));
		fprintf(out, "  %*s\n", wtotal, "TOTAL");
	}
	for (size_t i = 0; i < nlines; i++) {
		const struct view_line *l = &lines[i];

		/* Keys are names (a process's, a cgroup's): their text form,
		 * aligned by display width. */
		for (int k = 0; k < nkeys; k++) {
			fputs(k ? "  " : "", out);
			strenc_text_pad(out, l->key[k], wkey[k], false);
		}
		for (int c = 0; c < ncols; c++)
			fprintf(out, "  %*" PRIu64, w[c], l->n[cols[c]]);
		fprintf(out, "  %*" PRIu64 "\n", wtotal, l->total);
	}
	if (!s->complete) {
		fputs("# incomplete: ", out);
		strenc_text_pad(out, s->note ? s->note : "dump interrupted", 0, false);
		fputc('\n', out);
	}
	return ferror(out) ? -EIO : 0;
}

void view_line_add(struct view_line *l, const uint32_t *n, uint64_t total)
{
	for (int st = 0; st <= TCP_STATE_MAX; st++)
		l->n[st] += n[st];
	l->total += total;
}

void view_line_totals(struct view_line *l, const struct table *t, int nkeys)
{
	l->key[0] = "total";
	for (int k = 1; k < nkeys; k++)
		l->key[k] = "";
	for (int st = 0; st <= TCP_STATE_MAX; st++)
		l->n[st] = table_state_total(t, (enum tcp_state)st);
	l->total = table_total(t);
}

int view_text_render(FILE *out, const struct view_sample *s, const struct view_opts *o)
{
	static const char *const head[] = { "PORT", "DIR", "SERVICE" };
	size_t n, shown, nlines = 0;
	int nkeys = 2;
	const struct table_row **rows = view_sorted_rows(s->table, o, &n);
	struct view_line *lines;
	int ret;

	if (!rows)
		return -ENOMEM;
	shown = view_shown(o, n);
	/* shown rows, maybe "other", and "total" */
	lines = calloc(shown + 2, sizeof(*lines));
	if (!lines) {
		free(rows);
		return -ENOMEM;
	}
	/* SERVICE only when a row shown has a name, as the state columns
	 * only when a state has sockets. */
	for (size_t i = 0; o->services && i < shown && nkeys == 2; i++)
		if (view_service(s->table, o->services, rows[i]->port))
			nkeys = 3;
	for (size_t i = 0; i < shown; i++)
		line_from_row(&lines[nlines++], rows[i],
			      nkeys == 3 ? view_service(s->table, o->services, rows[i]->port) : NULL);
	if (shown < n) {
		struct view_line *l = &lines[nlines++];

		l->key[0] = "other";
		l->key[1] = "-";
		l->key[2] = "-";
		for (size_t i = shown; i < n; i++)
			view_line_add(l, rows[i]->n, rows[i]->total);
	}
	view_line_totals(&lines[nlines++], s->table, nkeys);
	ret = view_text_grid(out, s, o, head, nkeys, lines, nlines);
	free(lines);
	free(rows);
	return ret;
}
