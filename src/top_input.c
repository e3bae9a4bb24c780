/* SPDX-License-Identifier: MIT */
/*
 * top_input: the dashboard's keys and mouse.  Curses keys become the
 * model's keys (top_ui_key()), clicks become top_ui_click(), and what they
 * ask of the sampler thread (pause, interval, detail) is handed over under
 * the mutex.
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

/* ---- input ------------------------------------------------------------- */

static int key_map(int ch)
{
	switch (ch) {
	case KEY_UP:		return TOP_KEY_UP;
	case KEY_DOWN:		return TOP_KEY_DOWN;
	case KEY_PPAGE:		return TOP_KEY_PGUP;
	case KEY_NPAGE:		return TOP_KEY_PGDN;
	case KEY_HOME:		return TOP_KEY_HOME;
	case KEY_END:		return TOP_KEY_END;
	case KEY_ENTER: case '\n': case '\r':	return TOP_KEY_ENTER;
	case 27:		return TOP_KEY_ESC;
	case KEY_BACKSPACE: case 127: case 8:	return TOP_KEY_BACKSPACE;
	case KEY_F(10):		return TOP_KEY_F10;
	}
	return ch >= 0 && ch < 256 ? ch : -1;
}

/* Hand the key's consequences to the sampler thread.  Called with mu held. */
static void key_effects(struct top *tp, unsigned act)
{
	struct top_shared *sh = &tp->sh;

	if (act & TOP_ACT_PAUSE)
		sh->paused = tp->ui.paused;
	if (act & TOP_ACT_INTERVAL)
		sh->interval = tp->ui.interval;
	if (act & TOP_ACT_DETAIL) {
		sh->want_detail = tp->ui.screen == TOP_SCREEN_DETAIL;
		sh->dns = tp->ui.detail_ns;
		sh->dport = tp->ui.detail_port;
		sh->ddir = tp->ui.detail_dir;
		/* The peers should not wait a whole interval. */
		sh->kick = sh->want_detail;
	}
	if (act & (TOP_ACT_PAUSE | TOP_ACT_INTERVAL | TOP_ACT_DETAIL))
		pthread_cond_signal(&sh->cv);
}

/* A mouse event on the list: the header sorts, a row selects, a double
 * click opens the row's detail.  Returns TOP_ACT_* bits. */
static unsigned mouse_event(struct top *tp)
{
	MEVENT ev;
	unsigned act;
	int top_y = TOP_HEAD_LINES + 1;

	if (getmouse(&ev) != OK || !(ev.bstate & (BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED)))
		return 0;
	if (ev.y != TOP_HEAD_LINES && ev.y < top_y)
		return 0;
	top_rows_settle(tp);
	act = top_ui_click(&tp->ui, tp->cols, tp->ncols,
			   ev.y == TOP_HEAD_LINES ? -1 : ev.y - top_y, ev.x,
			   (ev.bstate & BUTTON1_DOUBLE_CLICKED) != 0);
	if (act & TOP_ACT_OPEN) {
		/* Settle on the clicked row first, so Enter opens it. */
		top_rows_settle(tp);
		act = top_ui_key(&tp->ui, TOP_KEY_ENTER);
	}
	return act;
}

/* Returns true when the UI should quit. */
bool top_read_keys(struct top *tp)
{
	int ch;

	while ((ch = getch()) != ERR) {
		int key = key_map(ch);
		unsigned act;

		if (ch == KEY_MOUSE) {
			key_effects(tp, mouse_event(tp));
			continue;
		}
		if (ch == KEY_RESIZE || key < 0)
			continue;	/* the frame is redrawn anyway */
		if (tp->ui.screen == TOP_SCREEN_LIST && !tp->ui.editing)
			top_rows_settle(tp);
		act = top_ui_key(&tp->ui, key);
		if (act & TOP_ACT_QUIT)
			return true;
		key_effects(tp, act);
	}
	return false;
}
