/* SPDX-License-Identifier: MIT */
/*
 * top_layout: which columns the port table has at a given width (what
 * drops first, the sort column's arrow, the rate column's title, the
 * "+N cols" room) and which rows it shows in which order (per namespace
 * or merged with --all-netns, filtered, sorted, reversed).  Declared in
 * top_model.h; tested in check_top_model.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strenc.h"
#include "top_model.h"
#include "view.h"

/* ---- layout ------------------------------------------------------------ */

#define RATE_WIDTH	7
#define PRIO_KEEP	100

/* Higher stays longer.  The operator's questions first: is CLOSE-WAIT
 * piling up, how fast, is anything established or half-open. */
static int col_prio(const struct top_col *c, const struct table_sort *sort)
{
	switch (c->kind) {
	case TOP_COL_NETNS:	/* without it, rows of one port are ambiguous */
	case TOP_COL_PORT:
	case TOP_COL_DIR:
	case TOP_COL_TOTAL:
		return PRIO_KEEP;
	case TOP_COL_RATE:
		return 12;
	case TOP_COL_SERVICE:	/* a convenience: the port says it too */
		return 1;
	case TOP_COL_SPARK:
		return 9;
	case TOP_COL_STATE:
		break;
	}
	if (sort->key == TABLE_SORT_STATE && sort->state == c->state)
		return PRIO_KEEP;
	switch (c->state) {
	case TCP_STATE_CLOSE_WAIT:	return 13;
	case TCP_STATE_ESTABLISHED:	return 11;
	case TCP_STATE_SYN_RECV:	return 10;
	case TCP_STATE_TIME_WAIT:	return 8;
	case TCP_STATE_LISTEN:		return 7;
	case TCP_STATE_FIN_WAIT2:	return 6;
	case TCP_STATE_FIN_WAIT1:	return 5;
	case TCP_STATE_LAST_ACK:	return 4;
	case TCP_STATE_SYN_SENT:	return 3;
	case TCP_STATE_CLOSING:		return 2;
	default:			return 0;	/* CLOSE */
	}
}

#define LAYOUT_ALWAYS (TCP_STATE_BIT(TCP_STATE_LISTEN) | TCP_STATE_BIT(TCP_STATE_ESTABLISHED) | \
		       TCP_STATE_BIT(TCP_STATE_TIME_WAIT) | TCP_STATE_BIT(TCP_STATE_CLOSE_WAIT))

bool top_col_sorts(const struct top_col *c, const struct table_sort *sort)
{
	switch (c->kind) {
	case TOP_COL_PORT:	return sort->key == TABLE_SORT_PORT;
	case TOP_COL_TOTAL:	return sort->key == TABLE_SORT_TOTAL;
	case TOP_COL_STATE:	return sort->key == TABLE_SORT_STATE && sort->state == c->state;
	default:		return false;
	}
}

/* The rate column's title without its delta sign: "CLOSE-WAIT/s". */
static int rate_width(enum tcp_state s)
{
	int w = (int)strlen(s ? tcp_state_label(s) : "TOTAL") + 3;

	return w > RATE_WIDTH ? w : RATE_WIDTH;
}

size_t top_layout(int width, int ns_width, int svc_width, uint32_t states,
		  const uint64_t *totals, uint64_t total, const struct table_sort *sort,
		  const struct table_sort *rate, struct top_col *out, size_t *hidden)
{
	struct top_col c[TOP_COLS_MAX];
	size_t n = 0, spark = SIZE_MAX, dropped = 0;
	int x = 0;
	enum tcp_state rs = rate && rate->key == TABLE_SORT_STATE ? rate->state : 0;

	if (ns_width > 0)
		c[n++] = (struct top_col){ .kind = TOP_COL_NETNS, .width = ns_width };
	c[n++] = (struct top_col){ .kind = TOP_COL_PORT, .width = 5 };
	c[n++] = (struct top_col){ .kind = TOP_COL_DIR, .width = 3 };
	if (svc_width > 0)
		c[n++] = (struct top_col){ .kind = TOP_COL_SERVICE, .width = svc_width };
	for (int i = 0; i < TCP_STATE_COUNT; i++) {
		enum tcp_state st = tcp_state_order[i];
		bool sorted = sort->key == TABLE_SORT_STATE && sort->state == st;
		int w;

		if (!(states & TCP_STATE_BIT(st)) && !sorted)
			continue;
		if (!(LAYOUT_ALWAYS & TCP_STATE_BIT(st)) && !totals[st] && !sorted)
			continue;
		w = (int)strlen(tcp_state_label(st));
		if (view_digits(totals[st]) > w)
			w = view_digits(totals[st]);
		c[n++] = (struct top_col){ .kind = TOP_COL_STATE, .state = st, .width = w };
	}
	c[n++] = (struct top_col){ .kind = TOP_COL_TOTAL,
				   .width = view_digits(total) > 5 ? view_digits(total) : 5 };
	c[n++] = (struct top_col){ .kind = TOP_COL_RATE, .state = rs, .width = rate_width(rs) };
	c[n++] = (struct top_col){ .kind = TOP_COL_SPARK, .width = TOP_HIST_LEN };
	/* Room for the sort arrow after the label. */
	for (size_t i = 0; i < n; i++) {
		int lw = (int)strlen(top_col_label(&c[i])) + 1;

		if (top_col_sorts(&c[i], sort) && c[i].width < lw)
			c[i].width = lw;
	}

	for (;;) {
		int fixed = 0, worst = -1, worst_prio = PRIO_KEEP;
		/* Once a column is gone, the header says so at its end: the
		 * sparkline, which would fill the line, leaves room for it. */
		int room = width - (dropped ? TOP_HIDDEN_MARK : 0);

		spark = SIZE_MAX;
		for (size_t i = 0; i < n; i++) {
			if (c[i].kind == TOP_COL_SPARK) {
				spark = i;
				continue;
			}
			fixed += c[i].width + (i ? 1 : 0);
		}
		if (spark != SIZE_MAX) {
			int avail = room - fixed - 1;

			if (avail >= TOP_SPARK_MIN) {
				c[spark].width = avail < TOP_HIST_LEN ? avail : TOP_HIST_LEN;
				break;
			}
		} else if (fixed <= width) {
			break;
		}
		/* Drop the least important column that may go; the last
		 * added of equal rank goes first (rightmost). */
		for (size_t i = 0; i < n; i++) {
			int p = col_prio(&c[i], sort);

			if (p < PRIO_KEEP && (worst < 0 || p <= worst_prio)) {
				worst = (int)i;
				worst_prio = p;
			}
		}
		if (worst < 0)
			break;	/* only what always stays: curses clips it */
		memmove(&c[worst], &c[worst + 1], (n - (size_t)worst - 1) * sizeof(c[0]));
		n--;
		dropped++;
	}
	if (hidden)
		*hidden = dropped;
	for (size_t i = 0; i < n; i++) {
		c[i].x = x;
		x += c[i].width + 1;
		out[i] = c[i];
	}
	return n;
}

const char *top_col_label(const struct top_col *c)
{
	switch (c->kind) {
	case TOP_COL_NETNS:	return "NETNS";
	case TOP_COL_PORT:	return "PORT";
	case TOP_COL_DIR:	return "DIR";
	case TOP_COL_SERVICE:	return "SERVICE";
	case TOP_COL_STATE:	return tcp_state_label(c->state);
	case TOP_COL_TOTAL:	return "TOTAL";
	case TOP_COL_RATE:	return c->state ? tcp_state_label(c->state) : "TOTAL";
	case TOP_COL_SPARK:	return "HISTORY";
	}
	return "";
}

int top_col_title(const struct top_col *c, const struct table_sort *sort, bool reverse,
		  bool utf8, char *buf, size_t len)
{
	const char *label = top_col_label(c);
	/* Counts sort largest first; ports smallest first. */
	bool down = c->kind == TOP_COL_PORT ? reverse : !reverse;

	if (c->kind == TOP_COL_RATE)
		return snprintf(buf, len, "%s%s/s", utf8 ? "\u0394" : "d", label) - (utf8 ? 1 : 0);
	if (!top_col_sorts(c, sort))
		return snprintf(buf, len, "%s", label);
	if (utf8)
		return snprintf(buf, len, "%s%s", label, down ? "\u25bc" : "\u25b2") - 2;
	return snprintf(buf, len, "%s%s", label, down ? "v" : "^");
}

/* ---- rows -------------------------------------------------------------- */

bool top_ui_split(const struct top_ui *ui)
{
	return ui->all_netns && !ui->ns_merged;
}

size_t top_rows_max(const struct top_ns *ns, size_t n)
{
	size_t max = 0;

	for (size_t i = 0; i < n; i++)
		max += table_nrows(ns[i].table);
	return max;
}

static int row_cmp(const void *pa, const void *pb, void *arg)
{
	const struct top_row *a = pa, *b = pb;
	int c = table_row_cmp(a->r, b->r, arg);

	if (c == 0)
		c = (a->order > b->order) - (a->order < b->order);
	return c;
}

size_t top_rows(const struct top_ui *ui, const struct top_ns *ns, size_t n,
		struct top_row *out)
{
	bool split = top_ui_split(ui) && n > 1;
	size_t shown = 0, first = 0, end = n ? 1 : 0;

	if (split) {
		first = 1;
		end = n;
	}
	for (size_t k = first; k < end; k++) {
		for (size_t i = 0; i < table_nrows(ns[k].table); i++) {
			const struct table_row *r = table_row(ns[k].table, i);

			if (!top_ui_shows(ui, r->port, r->dir))
				continue;
			out[shown++] = (struct top_row){
				.r = r, .ns = ns[k].id, .order = k,
				.label = split ? ns[k].label : NULL,
			};
		}
	}
	if (shown)	/* qsort_r(NULL, 0, ...) is undefined */
		qsort_r(out, shown, sizeof(*out), row_cmp, (void *)&ui->sort);
	if (ui->reverse)
		for (size_t i = 0; i < shown / 2; i++) {
			struct top_row t = out[i];

			out[i] = out[shown - 1 - i];
			out[shown - 1 - i] = t;
		}
	return shown;
}

int top_ns_width(const struct top_ui *ui, const struct top_ns *ns, size_t n)
{
	int w = (int)strlen("NETNS");

	if (!top_ui_split(ui) || n < 2)
		return 0;
	for (size_t i = 1; i < n; i++) {
		/* a label is a name: the display width of its text form */
		int len = ns[i].label ? strenc_text_width(ns[i].label) : 0;

		if (len > w)
			w = len;
	}
	return w < TOP_NS_WIDTH_MAX ? w : TOP_NS_WIDTH_MAX;
}
