/*
 * view_text: the aligned report.  Widths are measured over every line first
 * and printed second, so columns line up whatever the counts.  Rows past
 * --top are summed into one "other" row so the columns still add up to the
 * totals line.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "view.h"

/* Always shown (when selected): the states an operator looks for first. */
#define TEXT_ALWAYS (TCP_STATE_BIT(TCP_STATE_LISTEN) | TCP_STATE_BIT(TCP_STATE_ESTABLISHED) | \
		     TCP_STATE_BIT(TCP_STATE_TIME_WAIT) | TCP_STATE_BIT(TCP_STATE_CLOSE_WAIT))

struct line {
	char port[8];		/* "65535", "other", "total" */
	const char *dir;
	uint64_t n[TCP_STATE_MAX + 1];
	uint64_t total;
};

static void line_from_row(struct line *l, const struct table_row *r)
{
	snprintf(l->port, sizeof(l->port), "%u", r->port);
	l->dir = r->dir == TABLE_DIR_IN ? "in" : "out";
	for (int s = 0; s <= TCP_STATE_MAX; s++)
		l->n[s] = r->n[s];
	l->total = r->total;
}

int view_text_render(FILE *out, const struct view_sample *s, const struct view_opts *o)
{
	const struct table *t = s->table;
	uint32_t selected = table_filter(t)->states;
	enum tcp_state cols[TCP_STATE_COUNT];
	int ncols = 0, wport = 4, wdir = 3, w[TCP_STATE_COUNT], wtotal;
	size_t n, shown, nlines;
	const struct table_row **rows = view_sorted_rows(t, o, &n);
	struct line *lines;

	if (!rows)
		return -ENOMEM;
	shown = view_shown(o, n);
	/* shown rows, maybe "other", and "total" */
	lines = calloc(shown + 2, sizeof(*lines));
	if (!lines) {
		free(rows);
		return -ENOMEM;
	}
	nlines = 0;
	for (size_t i = 0; i < shown; i++)
		line_from_row(&lines[nlines++], rows[i]);
	if (shown < n) {
		struct line *l = &lines[nlines++];

		snprintf(l->port, sizeof(l->port), "other");
		l->dir = "-";
		for (size_t i = shown; i < n; i++) {
			for (int st = 0; st <= TCP_STATE_MAX; st++)
				l->n[st] += rows[i]->n[st];
			l->total += rows[i]->total;
		}
	}
	struct line *tot = &lines[nlines++];

	snprintf(tot->port, sizeof(tot->port), "total");
	tot->dir = "";
	for (int st = 0; st <= TCP_STATE_MAX; st++)
		tot->n[st] = table_state_total(t, (enum tcp_state)st);
	tot->total = table_total(t);

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
		if ((int)strlen(lines[i].port) > wport)
			wport = (int)strlen(lines[i].port);

	if (o->stamp) {
		char when[32];

		view_format_time(&s->time, when, sizeof(when));
		fprintf(out, "%s# %s\n", o->first ? "" : "\n", when);
	}
	if (o->header) {
		fprintf(out, "%-*s  %-*s", wport, "PORT", wdir, "DIR");
		for (int c = 0; c < ncols; c++)
			fprintf(out, "  %*s", w[c], tcp_state_label(cols[c]));
		fprintf(out, "  %*s\n", wtotal, "TOTAL");
	}
	for (size_t i = 0; i < nlines; i++) {
		const struct line *l = &lines[i];

		fprintf(out, "%-*s  %-*s", wport, l->port, wdir, l->dir);
		for (int c = 0; c < ncols; c++)
			fprintf(out, "  %*" PRIu64, w[c], l->n[cols[c]]);
		fprintf(out, "  %*" PRIu64 "\n", wtotal, l->total);
	}
	if (!s->complete)
		fprintf(out, "# incomplete: %s\n", s->note ? s->note : "dump interrupted");
	free(lines);
	free(rows);
	return ferror(out) ? -EIO : 0;
}
