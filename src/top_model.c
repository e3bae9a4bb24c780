/* SPDX-License-Identifier: MIT */
/*
 * top_model: the dashboard's interaction state without a terminal.  Key
 * and mouse handling edit a struct top_ui (selection, scroll, sort, rate
 * state, filter prompt, direction, namespaces, pause, interval, screen)
 * and report what the engine must do (quit, pause, open a detail...);
 * history is top_hist.c's, layout and rows top_layout.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strenc.h"
#include "top_model.h"

/* ---- interaction ------------------------------------------------------- */

static const double interval_steps[] = { 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 300 };
#define NSTEPS (sizeof(interval_steps) / sizeof(interval_steps[0]))

void top_ui_init(struct top_ui *ui, const struct table_sort *sort, uint32_t states,
		 double interval, bool all_netns)
{
	memset(ui, 0, sizeof(*ui));
	ui->screen = TOP_SCREEN_LIST;
	ui->sort = *sort;
	ui->states = states;
	ui->interval = interval;
	ui->all_netns = all_netns;
	ui->dir = TOP_DIR_BOTH;
	ui->page = 1;
	ui->rate.key = TABLE_SORT_TOTAL;
	if (states && !(states & (states - 1)))
		ui->rate = (struct table_sort){ .key = TABLE_SORT_STATE,
						.state = (enum tcp_state)__builtin_ctz(states) };
	else if (states & TCP_STATE_BIT(TCP_STATE_CLOSE_WAIT))
		ui->rate = (struct table_sort){ .key = TABLE_SORT_STATE,
						.state = TCP_STATE_CLOSE_WAIT };
}

static bool sort_eq(const struct table_sort *a, const struct table_sort *b)
{
	return a->key == b->key && (a->key != TABLE_SORT_STATE || a->state == b->state);
}

void top_ui_columns(struct top_ui *ui, const struct top_col *cols, size_t n)
{
	ui->nsortable = 0;
	for (size_t i = 0; i < n; i++) {
		struct table_sort s;

		if (cols[i].kind == TOP_COL_PORT)
			s = (struct table_sort){ .key = TABLE_SORT_PORT };
		else if (cols[i].kind == TOP_COL_TOTAL)
			s = (struct table_sort){ .key = TABLE_SORT_TOTAL };
		else if (cols[i].kind == TOP_COL_STATE)
			s = (struct table_sort){ .key = TABLE_SORT_STATE, .state = cols[i].state };
		else
			continue;
		ui->sortable[ui->nsortable++] = s;
	}
}

/* The sort columns in cycle order, left to right as on screen: port, the
 * states shown, total.  Before the first layout, the filter's states. */
static size_t sort_cycle(const struct top_ui *ui, struct table_sort *cyc)
{
	size_t n = 0;

	if (ui->nsortable) {
		memcpy(cyc, ui->sortable, ui->nsortable * sizeof(*cyc));
		return ui->nsortable;
	}
	cyc[n++] = (struct table_sort){ .key = TABLE_SORT_PORT };
	for (int i = 0; i < TCP_STATE_COUNT; i++)
		if (ui->states & TCP_STATE_BIT(tcp_state_order[i]))
			cyc[n++] = (struct table_sort){ .key = TABLE_SORT_STATE,
							.state = tcp_state_order[i] };
	cyc[n++] = (struct table_sort){ .key = TABLE_SORT_TOTAL };
	return n;
}

/* The rate column's next state: the total, then the states shown. */
static void rate_step(struct top_ui *ui)
{
	struct table_sort cyc[TCP_STATE_COUNT + 2];
	size_t n = sort_cycle(ui, cyc), k = 0, cur = 0;

	for (size_t i = 0; i < n; i++)	/* keep total and the states */
		if (cyc[i].key != TABLE_SORT_PORT)
			cyc[k++] = cyc[i];
	for (size_t i = 0; i < k; i++)
		if (sort_eq(&cyc[i], &ui->rate))
			cur = i + 1;
	ui->rate = cyc[cur % k];
}

static void sort_step(struct top_ui *ui, int step)
{
	struct table_sort cyc[TCP_STATE_COUNT + 2];
	size_t n = sort_cycle(ui, cyc), cur = 0;

	if (n == 0)
		return;

	for (size_t i = 0; i < n; i++)
		if (sort_eq(&cyc[i], &ui->sort))
			cur = i;
	ui->sort = cyc[(cur + n + (size_t)(step > 0 ? 1 : n - 1)) % n];
}

static unsigned interval_step(struct top_ui *ui, int step)
{
	double v = ui->interval;

	if (step > 0) {
		for (size_t i = 0; i < NSTEPS; i++)
			if (interval_steps[i] > v + 1e-9) {
				ui->interval = interval_steps[i];
				return TOP_ACT_INTERVAL;
			}
	} else {
		for (size_t i = NSTEPS; i-- > 0;)
			if (interval_steps[i] < v - 1e-9) {
				ui->interval = interval_steps[i];
				return TOP_ACT_INTERVAL;
			}
	}
	return 0;
}

static void move_sel(struct top_ui *ui, long delta)
{
	long sel = (long)ui->sel + delta;

	if (sel >= (long)ui->nrows)
		sel = (long)ui->nrows - 1;
	if (sel < 0)
		sel = 0;
	ui->sel = (size_t)sel;
	ui->sel_by_index = true;
}

static unsigned edit_key(struct top_ui *ui, int key)
{
	size_t len = strlen(ui->edit);
	struct portset ps;
	char err[128];

	switch (key) {
	case TOP_KEY_ENTER:
		if (len == 0) {
			ui->has_ports = false;
			ui->filter[0] = '\0';
		} else if (portset_parse(&ps, ui->edit, err, sizeof(err)) < 0) {
			/* Stay in the prompt so the typo can be fixed. */
			snprintf(ui->msg, sizeof(ui->msg), "%s", err);
			return 0;
		} else {
			ui->ports = ps;
			ui->has_ports = true;
			snprintf(ui->filter, sizeof(ui->filter), "%s", ui->edit);
		}
		ui->editing = false;
		ui->msg[0] = '\0';
		ui->sel = 0;
		ui->scroll = 0;
		ui->sel_by_index = true;
		return 0;
	case TOP_KEY_ESC:
		ui->editing = false;
		ui->msg[0] = '\0';
		return 0;
	case TOP_KEY_BACKSPACE:
		if (len)
			ui->edit[len - 1] = '\0';
		return 0;
	case TOP_KEY_F10:
		return TOP_ACT_QUIT;
	}
	if (key >= 0x20 && key < 0x7f && len + 1 < sizeof(ui->edit)) {
		ui->edit[len] = (char)key;
		ui->edit[len + 1] = '\0';
	}
	return 0;
}

static unsigned list_key(struct top_ui *ui, int key)
{
	long page = ui->page ? (long)ui->page : 1;

	switch (key) {
	case TOP_KEY_UP: case 'k':	move_sel(ui, -1); break;
	case TOP_KEY_DOWN: case 'j':	move_sel(ui, 1); break;
	case TOP_KEY_PGUP:		move_sel(ui, -page); break;
	case TOP_KEY_PGDN:		move_sel(ui, page); break;
	case TOP_KEY_HOME:		move_sel(ui, -(long)ui->nrows); break;
	case TOP_KEY_END:		move_sel(ui, (long)ui->nrows); break;
	case TOP_KEY_ENTER:
		if (!ui->nrows || !ui->has_sel)
			break;
		ui->screen = TOP_SCREEN_DETAIL;
		ui->detail_ns = ui->sel_ns;
		ui->detail_port = ui->sel_port;
		ui->detail_dir = ui->sel_dir;
		snprintf(ui->detail_label, sizeof(ui->detail_label), "%s", ui->sel_label);
		return TOP_ACT_DETAIL;
	case 's': case '>':		sort_step(ui, 1); break;
	case '<':			sort_step(ui, -1); break;
	case 'c':			rate_step(ui); break;
	case 'r':			ui->reverse = !ui->reverse; break;
	case '/':
		/* Empty: Enter clears at once; the filter in force shows
		 * as the prompt's hint, and Esc keeps it. */
		ui->editing = true;
		ui->edit[0] = '\0';
		ui->msg[0] = '\0';
		break;
	case 'd':
		ui->dir = ui->dir == TOP_DIR_BOTH ? TOP_DIR_IN :
			  ui->dir == TOP_DIR_IN ? TOP_DIR_OUT : TOP_DIR_BOTH;
		ui->sel = 0;
		ui->scroll = 0;
		ui->sel_by_index = true;
		break;
	case 'D':
		ui->screen = TOP_SCREEN_DOCTOR;
		ui->doc_scroll = 0;
		break;
	case 'n':
		/* The selection stays on its port and direction (follow). */
		if (ui->all_netns)
			ui->ns_merged = !ui->ns_merged;
		else
			snprintf(ui->msg, sizeof(ui->msg),
				 "one namespace: 'n' splits rows by namespace with --all-netns");
		break;
	}
	return 0;
}

/* The findings screen scrolls by line; the engine clamps doc_scroll to
 * the lines there are when it draws. */
static unsigned doctor_key(struct top_ui *ui, int key)
{
	size_t page = ui->doc_page ? ui->doc_page : 1;

	switch (key) {
	case TOP_KEY_ESC: case TOP_KEY_BACKSPACE:
		ui->screen = TOP_SCREEN_LIST;
		break;
	case TOP_KEY_UP: case 'k':
		ui->doc_scroll -= ui->doc_scroll > 0;
		break;
	case TOP_KEY_DOWN: case 'j':
		ui->doc_scroll += ui->doc_scroll + page < ui->doc_lines;
		break;
	case TOP_KEY_PGUP:
		ui->doc_scroll = ui->doc_scroll > page ? ui->doc_scroll - page : 0;
		break;
	case TOP_KEY_PGDN:
		ui->doc_scroll += page;
		if (ui->doc_scroll + page > ui->doc_lines)
			ui->doc_scroll = ui->doc_lines > page ? ui->doc_lines - page : 0;
		break;
	case TOP_KEY_HOME:
		ui->doc_scroll = 0;
		break;
	case TOP_KEY_END:
		ui->doc_scroll = ui->doc_lines > page ? ui->doc_lines - page : 0;
		break;
	}
	return 0;
}

unsigned top_ui_key(struct top_ui *ui, int key)
{
	if (ui->editing)
		return edit_key(ui, key);
	/* On the findings screen q goes back, as Esc and D do. */
	if (ui->screen == TOP_SCREEN_DOCTOR && (key == 'q' || key == 'D')) {
		ui->screen = TOP_SCREEN_LIST;
		return 0;
	}
	switch (key) {
	case 'q': case TOP_KEY_F10:
		return TOP_ACT_QUIT;
	case 'p': case ' ':
		ui->paused = !ui->paused;
		return TOP_ACT_PAUSE;
	case '+':
		return interval_step(ui, 1);
	case '-':
		return interval_step(ui, -1);
	case 'h': case '?':
		if (ui->screen == TOP_SCREEN_HELP) {
			ui->screen = ui->under_help;
		} else {
			ui->under_help = ui->screen;
			ui->screen = TOP_SCREEN_HELP;
		}
		return 0;
	}
	switch (ui->screen) {
	case TOP_SCREEN_LIST:
		ui->msg[0] = '\0';
		return list_key(ui, key);
	case TOP_SCREEN_DETAIL:
		if (key == TOP_KEY_ESC || key == TOP_KEY_BACKSPACE) {
			ui->screen = TOP_SCREEN_LIST;
			return TOP_ACT_DETAIL;
		}
		return 0;
	case TOP_SCREEN_HELP:
		if (key == TOP_KEY_ESC || key == TOP_KEY_BACKSPACE)
			ui->screen = ui->under_help;
		return 0;
	case TOP_SCREEN_DOCTOR:
		return doctor_key(ui, key);
	}
	return 0;
}

unsigned top_ui_click(struct top_ui *ui, const struct top_col *cols, size_t n, int line,
		      int x, bool dbl)
{
	if (ui->editing || ui->screen != TOP_SCREEN_LIST)
		return 0;
	if (line < 0) {
		for (size_t i = 0; i < n; i++) {
			struct top_ui one = *ui;

			if (x < cols[i].x || x >= cols[i].x + cols[i].width)
				continue;
			top_ui_columns(&one, &cols[i], 1);
			if (!one.nsortable)
				return 0;	/* not a sort column */
			if (sort_eq(&one.sortable[0], &ui->sort))
				ui->reverse = !ui->reverse;
			else
				ui->sort = one.sortable[0], ui->reverse = false;
			return 0;
		}
		return 0;
	}
	if ((size_t)line >= ui->page || ui->scroll + (size_t)line >= ui->nrows)
		return 0;
	ui->sel = ui->scroll + (size_t)line;
	ui->sel_by_index = true;
	ui->msg[0] = '\0';
	return dbl ? TOP_ACT_OPEN : 0;
}

bool top_ui_shows(const struct top_ui *ui, uint16_t port, uint8_t dir)
{
	if (ui->dir == TOP_DIR_IN && dir != TABLE_DIR_IN)
		return false;
	if (ui->dir == TOP_DIR_OUT && dir != TABLE_DIR_OUT)
		return false;
	return !ui->has_ports || portset_has(&ui->ports, port);
}

void top_ui_follow(struct top_ui *ui, const struct top_row *rows, size_t n, size_t page)
{
	ui->nrows = n;
	ui->page = page ? page : 1;
	if (!ui->sel_by_index && ui->has_sel) {
		size_t same = SIZE_MAX, near = SIZE_MAX;

		for (size_t i = 0; i < n && same == SIZE_MAX; i++) {
			if (rows[i].r->port != ui->sel_port || rows[i].r->dir != ui->sel_dir)
				continue;
			if (rows[i].ns == ui->sel_ns)
				same = i;
			else if (near == SIZE_MAX)
				near = i;
		}
		if (same != SIZE_MAX)
			ui->sel = same;
		else if (near != SIZE_MAX)
			ui->sel = near;
	}
	ui->sel_by_index = false;
	if (n == 0) {
		ui->sel = ui->scroll = 0;
		ui->has_sel = false;
		return;
	}
	if (ui->sel >= n)
		ui->sel = n - 1;
	ui->has_sel = true;
	ui->sel_ns = rows[ui->sel].ns;
	ui->sel_port = rows[ui->sel].r->port;
	ui->sel_dir = rows[ui->sel].r->dir;
	snprintf(ui->sel_label, sizeof(ui->sel_label), "%s",
		 rows[ui->sel].label ? rows[ui->sel].label : "");
	if (ui->sel < ui->scroll)
		ui->scroll = ui->sel;
	if (ui->sel >= ui->scroll + ui->page)
		ui->scroll = ui->sel - ui->page + 1;
	/* Never leave blank rows below while rows above are hidden. */
	if (ui->scroll + ui->page > n)
		ui->scroll = n > ui->page ? n - ui->page : 0;
}

const char *top_ui_sort_label(const struct top_ui *ui)
{
	switch (ui->sort.key) {
	case TABLE_SORT_TOTAL:	return "total";
	case TABLE_SORT_PORT:	return "port";
	case TABLE_SORT_STATE:	return tcp_state_name(ui->sort.state);
	}
	return "";
}
