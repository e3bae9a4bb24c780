/* SPDX-License-Identifier: MIT */
/*
 * top_draw: the dashboard's frame and its list screen: the title and
 * state-totals lines, the status line (or the filter prompt), the column
 * header with the sort column marked and the "+N cols" mark, the rows, the
 * key bar.  The status line leads with the doctor's count and worst
 * finding.  Layout and rows come from top_model.c; every string goes
 * through top_put().
 */
#include "top_priv.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strenc.h"
#include "view.h"

#define HEAD_ALWAYS (TCP_STATE_BIT(TCP_STATE_LISTEN) | TCP_STATE_BIT(TCP_STATE_ESTABLISHED) | \
		     TCP_STATE_BIT(TCP_STATE_TIME_WAIT) | TCP_STATE_BIT(TCP_STATE_CLOSE_WAIT))

static void draw_header(struct top *tp, const struct table *t)
{
	const struct top_shared *sh = &tp->sh;
	const struct table_filter *f = table_filter(t);
	char when[16] = "--:--:--", iv[32], ns[128];
	int x = 0, y = 1;

	if (sh->produced) {
		struct tm tm;
		time_t sec = sh->info.time.tv_sec;

		localtime_r(&sec, &tm);
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
	}
	top_fmt_interval(tp->ui.interval, iv, sizeof(iv));
	if (tp->cfg->all_netns && sh->produced)	/* how many were read; entry 0 is their sum */
		snprintf(ns, sizeof(ns), "all (%zu)", sh->nsfront.n - 1);
	else if (tp->cfg->all_netns)
		snprintf(ns, sizeof(ns), "all");
	else
		snprintf(ns, sizeof(ns), "%s", tp->cfg->replay ? "(replay)" :
			 tp->cfg->netns ? tp->cfg->netns : "(own)");
	/* Most telling first; a narrow screen drops whole items from the
	 * end, never half of one. */
	{
		char item[6][192];
		attr_t a[6] = { top_role_attr(tp, ROLE_TITLE), A_NORMAL, A_NORMAL, A_NORMAL,
				A_NORMAL, sh->late ? top_role_attr(tp, ROLE_WARN) : A_NORMAL };

		snprintf(item[0], sizeof(item[0]), "portstat");
		snprintf(item[1], sizeof(item[1]), "sockets %" PRIu64, table_total(t));
		snprintf(item[2], sizeof(item[2]), "ns %s", ns);
		snprintf(item[3], sizeof(item[3]), "%s  every %s", when, iv);
		snprintf(item[4], sizeof(item[4]), "%s", tp->host);
		snprintf(item[5], sizeof(item[5]), "sample %.1fms%s", sh->info.cost_ms,
			 sh->late ? " (late)" : "");
		for (size_t i = 0; i < 6; i++) {
			int w = strenc_text_width(item[i]);

			if (x + (x ? 2 : 0) + w > COLS)
				break;
			x += x ? 2 : 0;
			x += top_put(tp, 0, x, -1, a[i], item[i]);
		}
	}

	/* Per-state totals with their change per second, flowed over two
	 * lines; a rising CLOSE-WAIT or SYN-RECV is the alarm. */
	x = 0;
	for (int i = 0; i < TCP_STATE_COUNT; i++) {
		enum tcp_state st = tcp_state_order[i];
		uint64_t n = table_state_total(t, st);
		char item[64], rate[24] = "";
		double r;
		attr_t a = A_NORMAL;
		int w;

		if (!(f->states & TCP_STATE_BIT(st)) || (!n && !(HEAD_ALWAYS & TCP_STATE_BIT(st))))
			continue;
		if (top_hist_state_rate(tp->hist, st, &r) && fabs(r) >= 0.05) {
			char rb[16];

			top_fmt_rate(r, rb, sizeof(rb));
			snprintf(rate, sizeof(rate), " %s/s", rb);
			if (r > 0)
				a = top_role_attr(tp, st == TCP_STATE_CLOSE_WAIT ||
						  st == TCP_STATE_SYN_RECV ? ROLE_ALERT : ROLE_RISE);
			else
				a = top_role_attr(tp, ROLE_FALL);
		}
		w = snprintf(item, sizeof(item), "%s %" PRIu64 "%s", tcp_state_label(st), n, rate);
		if (x > 0 && x + 2 + w > COLS) {
			if (++y > 2)
				break;
			x = 0;
		}
		if (x > 0)
			x += 2;
		top_put(tp, y, x, -1, a, item);
		x += w;
	}
}

/* One item of the status line at *@x, after two spaces unless first: the
 * whole of @text, or nothing when it does not fit, unless @clip. */
static void status_item(const struct top *tp, int *x, attr_t a, const char *text, bool clip)
{
	int sep = *x ? 2 : 0;

	if (!clip && *x + sep + strenc_text_width(text) > COLS)
		return;
	*x += sep;
	*x += top_put(tp, 3, *x, -1, a, text);
}

static void draw_status(struct top *tp)
{
	const struct top_shared *sh = &tp->sh;
	const struct top_ui *ui = &tp->ui;
	int y = 3, x = 0;
	char buf[1200];

	if (ui->editing) {
		int cx;

		x += top_putf(tp, y, 0, top_role_attr(tp, ROLE_KEY), "filter ports: ");
		x += top_put(tp, y, x, -1, A_NORMAL, ui->edit);
		cx = x;
		/* The hint: what is in force and what Enter and Esc do. */
		if (ui->msg[0])
			top_putf(tp, y, x + 2, top_role_attr(tp, ROLE_ERROR), "%s", ui->msg);
		else if (!ui->edit[0])
			top_putf(tp, y, x + 2, A_DIM, "(now %s; Enter: %s, Esc: keep)",
			     ui->has_ports ? ui->filter : "none",
			     ui->has_ports ? "clear" : "no filter");
		curs_set(1);
		move(y, cx);
		return;
	}
	/* Whole items or none: a narrow screen skips those that do not
	 * fit rather than cutting one; messages of any length clip. */
	/* The doctor first: the one item that says something is wrong.
	 * It drops words of its own to fit (top_findings_status()). */
	if (sh->produced && sh->ffront.ran) {
		const struct top_findings *fs = &sh->ffront;
		enum top_role r = !fs->n ? ROLE_NORMAL :
				  fs->v[0].severity == DOCTOR_CRITICAL ? ROLE_ERROR : ROLE_WARN;

		if (top_findings_status(fs, COLS, buf, sizeof(buf)) > 0)
			status_item(tp, &x, top_role_attr(tp, r), buf, false);
	} else if (sh->produced && sh->ffront.note[0]) {
		snprintf(buf, sizeof(buf), "doctor: not run: %s", sh->ffront.note);
		status_item(tp, &x, top_role_attr(tp, ROLE_WARN), buf, false);
	}
	/* As the header's arrow: ports ascend unless reversed, counts
	 * descend unless reversed. */
	snprintf(buf, sizeof(buf), "sort %s %s", top_ui_sort_label(ui),
		 (ui->sort.key == TABLE_SORT_PORT) == ui->reverse ? "desc" : "asc");
	status_item(tp, &x, A_NORMAL, buf, false);
	if (ui->paused)
		status_item(tp, &x, top_role_attr(tp, ROLE_WARN), "PAUSED", false);
	if (tp->hidden_on_status && ui->screen == TOP_SCREEN_LIST) {
		snprintf(buf, sizeof(buf), "+%zu cols", tp->hidden);
		status_item(tp, &x, top_role_attr(tp, ROLE_WARN), buf, false);
	}
	snprintf(buf, sizeof(buf), "filter %s", ui->has_ports ? ui->filter : "none");
	status_item(tp, &x, A_NORMAL, buf, false);
	snprintf(buf, sizeof(buf), "dir %s",
		 ui->dir == TOP_DIR_IN ? "in" : ui->dir == TOP_DIR_OUT ? "out" : "both");
	status_item(tp, &x, A_NORMAL, buf, false);
	if (ui->all_netns)
		status_item(tp, &x, A_NORMAL, ui->ns_merged ? "netns merged" : "netns split", false);
	snprintf(buf, sizeof(buf), "sample #%lu", sh->produced);
	status_item(tp, &x, A_NORMAL, buf, false);
	if (sh->ended)
		status_item(tp, &x, top_role_attr(tp, ROLE_WARN), "replay ended", false);
	if (sh->produced && sh->nsfront.failed) {
		snprintf(buf, sizeof(buf), "%zu unreadable: %s", sh->nsfront.failed, sh->nsfront.note);
		status_item(tp, &x, top_role_attr(tp, ROLE_WARN), buf, true);
	}
	if (sh->produced && !sh->info.complete) {
		snprintf(buf, sizeof(buf), "incomplete: %s", sh->info.note);
		status_item(tp, &x, top_role_attr(tp, ROLE_WARN), buf, true);
	}
	if (sh->err) {
		snprintf(buf, sizeof(buf), "sample failed: %s", sh->errmsg);
		status_item(tp, &x, top_role_attr(tp, ROLE_ERROR), buf, true);
	} else if (sh->ended && !sh->produced) {
		status_item(tp, &x, top_role_attr(tp, ROLE_ERROR), "the replay holds no samples", true);
	}
	if (ui->msg[0])
		top_putf(tp, y, x, top_role_attr(tp, ROLE_ERROR), "  %s", ui->msg);
}

void top_draw_footer(struct top *tp, const char *const *keys)
{
	int x = 0;

	for (size_t i = 0; keys[i]; i += 2) {
		int w = (int)(strlen(keys[i]) + 1 + strlen(keys[i + 1]));

		if (x + w > COLS)
			break;
		x += top_put(tp, LINES - 1, x, -1, top_role_attr(tp, ROLE_KEY), keys[i]);
		x += top_put(tp, LINES - 1, x, -1, A_NORMAL, " ");
		x += top_put(tp, LINES - 1, x, -1, A_NORMAL, keys[i + 1]);
		x += 2;
	}
}

/* The rows the view shows, in display order, into tp->rows. */
static size_t visible_rows(struct top *tp)
{
	const struct top_nsset *set = &tp->sh.nsfront;
	size_t n = top_rows_max(set->ns, set->n);

	if (n > tp->rows_cap) {
		struct top_row *nr = realloc(tp->rows, n * sizeof(*nr));

		if (!nr)
			return 0;
		tp->rows = nr;
		tp->rows_cap = n;
	}
	if (!n)
		return 0;
	return top_rows(&tp->ui, set->ns, set->n, tp->rows);
}

/* The visible rows, with the selection settled on them.  Run after every
 * key too: a key that moves the selection, re-sorts or filters must act on
 * what is on screen before the next key (Down Down Enter opens the row two
 * below, not the one selected before). */
size_t top_rows_settle(struct top *tp)
{
	int top_y = TOP_HEAD_LINES + 1;
	size_t n = visible_rows(tp);
	size_t page = LINES - 1 > top_y ? (size_t)(LINES - 1 - top_y) : 1;

	top_ui_follow(&tp->ui, tp->rows, n, page);
	return n;
}

static void draw_cell(struct top *tp, int y, const struct top_col *c,
		      const struct top_row *row, attr_t base)
{
	const struct table_row *r = row->r;
	const struct top_hist_row *hr = top_hist_find(tp->hist, row->ns, r->port, r->dir);
	char buf[TOP_LABEL_LEN + 3 * TOP_HIST_LEN + 1];
	attr_t a = base;
	double rate;

	switch (c->kind) {
	case TOP_COL_NETNS:
		top_text_cell(tp, buf, sizeof(buf), row->label ? row->label : "", c->width);
		break;
	case TOP_COL_PORT:
		snprintf(buf, sizeof(buf), "%-*u", c->width, r->port);
		break;
	case TOP_COL_DIR:
		snprintf(buf, sizeof(buf), "%-*s", c->width, r->dir == TABLE_DIR_IN ? "in" : "out");
		break;
	case TOP_COL_SERVICE: {
		/* The database's bytes: through strenc like any name. */
		const char *name = view_service(tp->sh.front, tp->svc, r->port);

		top_text_cell(tp, buf, sizeof(buf), name ? name : "-", c->width);
		break;
	}
	case TOP_COL_STATE: {
		struct table_sort s = { .key = TABLE_SORT_STATE, .state = c->state };

		snprintf(buf, sizeof(buf), "%*" PRIu32, c->width, r->n[c->state]);
		if ((c->state == TCP_STATE_CLOSE_WAIT || c->state == TCP_STATE_SYN_RECV) &&
		    base == A_NORMAL && hr && top_hist_rate(tp->hist, hr, &s, &rate) && rate > 0)
			a = top_role_attr(tp, ROLE_ALERT);
		break;
	}
	case TOP_COL_TOTAL:
		snprintf(buf, sizeof(buf), "%*" PRIu64, c->width, r->total);
		break;
	case TOP_COL_RATE: {
		char rb[16] = "";

		if (hr && top_hist_rate(tp->hist, hr, &tp->ui.rate, &rate)) {
			top_fmt_rate(rate, rb, sizeof(rb));
			if (base == A_NORMAL && fabs(rate) >= 0.05)
				a = top_role_attr(tp, rate > 0 ? ROLE_RISE : ROLE_FALL);
		}
		snprintf(buf, sizeof(buf), "%*s", c->width, rb);
		break;
	}
	case TOP_COL_SPARK: {
		uint32_t series[TOP_HIST_LEN];
		bool cw = false;
		size_t n = hr ? top_hist_series(hr, series, &cw) : 0;

		top_spark_render(series, n, c->width, tp->utf8, buf, sizeof(buf));
		if (cw && base == A_NORMAL)
			a = top_role_attr(tp, ROLE_WARN);
		/* Our own glyphs (no untrusted bytes), one cell each, and
		 * the layout already made them fit: drawn as they are. */
		attrset(a);
		mvaddstr(y, c->x, buf);
		attrset(A_NORMAL);
		return;
	}
	}
	top_put(tp, y, c->x, c->width, a, buf);
}

/* The SERVICE column's width for the @n visible rows: their longest name
 * (within the header's and TOP_SERVICE_WIDTH_MAX), 0 when none has one
 * or with -n. */
static int service_width(const struct top *tp, const struct table *t, size_t n)
{
	int w = 0;

	for (size_t i = 0; i < n; i++) {
		const char *name = view_service(t, tp->svc, tp->rows[i].r->port);
		int nw = name ? strenc_text_width(name) : 0;

		if (nw > w)
			w = nw;
	}
	if (!w)
		return 0;
	if (w < (int)strlen("SERVICE"))
		w = (int)strlen("SERVICE");
	return w < TOP_SERVICE_WIDTH_MAX ? w : TOP_SERVICE_WIDTH_MAX;
}

static void draw_list(struct top *tp, const struct table *t)
{
	struct top_col *cols = tp->cols;
	uint64_t totals[TCP_STATE_MAX + 1];
	size_t ncols, nrows, page, hidden;
	int top_y = TOP_HEAD_LINES + 1;
	static const char *const keys[] = {
		/* Most needed first: a narrow screen keeps these. */
		"q", "quit", "h", "help", "Enter", "detail", "D", "doctor", "/", "filter",
		"s", "sort", "r", "rev", "c", "rate", "d", "dir", "p", "pause", "+-", "intvl",
		NULL,
	};
	static const char *const keys_allns[] = {
		"q", "quit", "h", "help", "Enter", "detail", "D", "doctor", "n", "netns",
		"/", "filter",
		"s", "sort", "r", "rev", "c", "rate", "d", "dir", "p", "pause", "+-", "intvl",
		NULL,
	};

	for (int s = 0; s <= TCP_STATE_MAX; s++)
		totals[s] = table_state_total(t, (enum tcp_state)s);
	nrows = top_rows_settle(tp);
	ncols = top_layout(COLS, top_ns_width(&tp->ui, tp->sh.nsfront.ns, tp->sh.nsfront.n),
			   service_width(tp, t, nrows), table_filter(t)->states, totals,
			   table_total(t), &tp->ui.sort, &tp->ui.rate, cols, &hidden);
	tp->ncols = ncols;
	top_ui_columns(&tp->ui, cols, ncols);
	attrset(top_role_attr(tp, ROLE_COLHDR));
	mvhline(TOP_HEAD_LINES, 0, ' ', COLS);
	for (size_t i = 0; i < ncols; i++) {
		const struct top_col *c = &cols[i];
		char title[64], buf[96];
		bool left = c->kind == TOP_COL_NETNS || c->kind == TOP_COL_PORT ||
			    c->kind == TOP_COL_DIR || c->kind == TOP_COL_SERVICE ||
			    c->kind == TOP_COL_SPARK;
		bool sorts = top_col_sorts(c, &tp->ui.sort);
		int w = top_col_title(c, &tp->ui.sort, tp->ui.reverse, tp->utf8, title,
				      sizeof(title));
		int pad = c->width > w ? c->width - w : 0;

		/* Padded by cells, not bytes: the arrow and the delta are
		 * one cell and several bytes. */
		snprintf(buf, sizeof(buf), "%*s%s%*s", left ? 0 : pad, "", title,
			 left ? pad : 0, "");
		top_put(tp, TOP_HEAD_LINES, c->x, c->width,
		    top_role_attr(tp, sorts ? ROLE_SORTHDR : ROLE_COLHDR), buf);
	}
	/* Columns that did not fit are said to be missing: the counts on
	 * a row then do not add up to its TOTAL. */
	tp->hidden_on_status = false;
	if (hidden) {
		char mark[16];
		int mw = snprintf(mark, sizeof(mark), "+%zu col%s", hidden, hidden == 1 ? "" : "s");
		int end = ncols ? cols[ncols - 1].x + cols[ncols - 1].width : 0;

		if (COLS - end > mw)
			top_put(tp, TOP_HEAD_LINES, COLS - mw, -1, top_role_attr(tp, ROLE_WARN), mark);
		else
			tp->hidden_on_status = true;	/* draw_status says it */
		tp->hidden = hidden;
	}
	attrset(A_NORMAL);

	page = tp->ui.page;
	for (size_t i = tp->ui.scroll; i < nrows && i < tp->ui.scroll + page; i++) {
		int y = top_y + (int)(i - tp->ui.scroll);
		bool sel = i == tp->ui.sel;
		attr_t base = sel ? top_role_attr(tp, ROLE_SELECTED) : A_NORMAL;

		if (sel) {
			attrset(base);
			mvhline(y, 0, ' ', COLS);
			attrset(A_NORMAL);
		}
		for (size_t k = 0; k < ncols; k++)
			draw_cell(tp, y, &cols[k], &tp->rows[i], base);
	}
	if (!nrows)
		top_put(tp, top_y, 0, -1, A_NORMAL, tp->sh.produced ? "(no rows match)" : "(sampling...)");
	top_draw_footer(tp, tp->ui.all_netns ? keys_allns : keys);
}


/* One whole frame; redrawing everything keeps resizes free of garbage
 * (curses sends only what changed). */
void top_draw(struct top *tp)
{
	const struct table *t = tp->sh.front;

	erase();
	curs_set(0);
	if (LINES < TOP_HEAD_LINES + 3 || COLS < 30) {
		top_put(tp, 0, 0, -1, A_NORMAL, "portstat top: terminal too small");
		refresh();
		return;
	}
	draw_header(tp, t);
	if (tp->ui.screen == TOP_SCREEN_DETAIL)
		top_draw_detail(tp);
	else if (tp->ui.screen == TOP_SCREEN_DOCTOR)
		top_draw_doctor(tp);
	else if (tp->ui.screen == TOP_SCREEN_HELP)
		top_draw_help(tp);
	else
		draw_list(tp, t);
	draw_status(tp);
	refresh();
}
