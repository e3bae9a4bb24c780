/* SPDX-License-Identifier: MIT */
/*
 * top_term: the dashboard's terminal.  Checks that the terminal can run it
 * (before curses, so errors reach a normal stderr), sets curses up and
 * restores the terminal, maps the semantic colour roles to attributes
 * (colour or monochrome, NO_COLOR), and the drawing primitives every
 * screen uses: top_put() (the one way a string reaches the screen, through
 * strenc), cells and number formats.
 */
#include "top_priv.h"
#include "strenc.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
/* Last: its capability macros (lines, columns, ...) would rewrite
 * parameter names in the project's headers. */
#include <term.h>

/* ---- terminal ---------------------------------------------------------- */

attr_t top_role_attr(const struct top *tp, enum top_role r)
{
	static const attr_t mono[ROLE_COUNT] = {
		[ROLE_NORMAL] = A_NORMAL,
		[ROLE_TITLE] = A_BOLD,
		[ROLE_COLHDR] = A_BOLD | A_UNDERLINE,
		[ROLE_SELECTED] = A_REVERSE,
		[ROLE_ALERT] = A_BOLD | A_REVERSE,
		[ROLE_RISE] = A_BOLD,
		[ROLE_FALL] = A_NORMAL,
		[ROLE_ERROR] = A_BOLD | A_REVERSE,
		[ROLE_WARN] = A_BOLD,
		[ROLE_KEY] = A_BOLD,
		/* Without colour the arrow and reverse video mark it. */
		[ROLE_SORTHDR] = A_BOLD | A_REVERSE,
	};

	if (!tp->color || r == ROLE_NORMAL || r == ROLE_SELECTED)
		return mono[r];
	return COLOR_PAIR(r) | (r == ROLE_ALERT || r == ROLE_ERROR || r == ROLE_TITLE ||
				r == ROLE_KEY || r == ROLE_SORTHDR ? A_BOLD : A_NORMAL);
}

static void colors_init(struct top *tp)
{
	const char *no_color = getenv("NO_COLOR");

	/* no-color.org: present and not empty disables colour. */
	tp->color = has_colors() && !(no_color && *no_color);
	if (!tp->color)
		return;
	start_color();
	use_default_colors();
	init_pair(ROLE_TITLE, COLOR_CYAN, -1);
	init_pair(ROLE_COLHDR, COLOR_BLACK, COLOR_GREEN);
	init_pair(ROLE_ALERT, COLOR_RED, -1);
	init_pair(ROLE_RISE, COLOR_YELLOW, -1);
	init_pair(ROLE_FALL, COLOR_GREEN, -1);
	init_pair(ROLE_ERROR, COLOR_WHITE, COLOR_RED);
	init_pair(ROLE_WARN, COLOR_YELLOW, -1);
	init_pair(ROLE_KEY, COLOR_CYAN, -1);
	init_pair(ROLE_SORTHDR, COLOR_BLACK, COLOR_CYAN);	/* htop's */
}

/* Checks that need no curses, so the message reaches a normal stderr. */
int top_term_check(char *err, size_t errlen)
{
	const char *term = getenv("TERM");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, errlen, "'top' needs a terminal (standard %s is not one); "
			 "use 'portstat report' for plain output",
			 isatty(STDIN_FILENO) ? "output" : "input");
		return -ENOTTY;
	}
	if (!term || !*term) {
		snprintf(err, errlen, "TERM is not set, so 'top' cannot drive this terminal; "
			 "set it, or use 'portstat report' for plain output");
		return -ENOTTY;
	}
	return 0;
}

/* Whether the terminal setupterm() loaded can position the cursor: a
 * "cup" string, and not marked hardcopy ("hc") or generic ("gn"). */
static bool cursor_addressable(void)
{
	char *cup = tigetstr("cup");

	return cup && cup != (char *)-1 && tigetflag("hc") <= 0 && tigetflag("gn") <= 0;
}

int top_curses_init(struct top *tp, char *err, size_t errlen)
{
	int terr;

	/* The terminal type is checked first with setupterm(), which only
	 * reads the terminfo entry: a newterm() that fails (it returns NULL
	 * rather than exiting, unlike initscr()) leaves a screen allocated
	 * inside ncurses that nothing can free. */
	if (setupterm(NULL, STDOUT_FILENO, &terr) != OK) {
		snprintf(err, errlen, "unknown terminal type '%s' (TERM); "
			 "use 'portstat report' for plain output", getenv("TERM"));
		return -ENOTTY;
	}
	/* A terminal that cannot address the cursor (TERM=dumb, a
	 * hardcopy or generic type) would get every frame appended below
	 * the last: refused, with what to do instead. */
	if (!cursor_addressable()) {
		snprintf(err, errlen, "terminal type '%s' (TERM) cannot move the cursor, which "
			 "'top' needs; run it in a full-screen terminal (TERM=xterm-256color, "
			 "screen, ...) or use 'portstat report' for plain output", getenv("TERM"));
		del_curterm(cur_term);
		return -ENOTTY;
	}
	del_curterm(cur_term);
	tp->screen = newterm(NULL, stdout, stdin);
	if (!tp->screen) {
		snprintf(err, errlen, "unknown terminal type '%s' (TERM); "
			 "use 'portstat report' for plain output", getenv("TERM"));
		return -ENOTTY;
	}
	tp->curses_on = true;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	/* Esc alone must feel immediate; escape sequences arrive together. */
	set_escdelay(25);
	curs_set(0);
	colors_init(tp);
	/* Clicks sort, select and open; --no-mouse leaves the mouse to the
	 * terminal (selecting text to copy). */
	if (!tp->cfg->no_mouse) {
		tp->mouse = mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED, NULL) != 0;
		mouseinterval(200);
	}
	return 0;
}

void top_curses_done(struct top *tp)
{
	if (!tp->curses_on)
		return;
	curs_set(1);
	endwin();
	delscreen(tp->screen);
	tp->curses_on = false;
}

/* ---- drawing ----------------------------------------------------------- */

/*
 * @s at (y, x) in its text form (strenc.h: no control ever reaches the
 * terminal; only ASCII when the terminal is not UTF-8), clipped to the
 * screen and to @maxw cells (negative: the screen) at a character
 * boundary.  Returns the cells written.  Every string drawn goes through
 * here: names, notes and labels are untrusted bytes.
 */
int top_put(const struct top *tp, int y, int x, int maxw, attr_t a, const char *s)
{
	char buf[1024];
	int room = COLS - x, w;

	if (y < 0 || y >= LINES || room <= 0)
		return 0;
	if (maxw >= 0 && maxw < room)
		room = maxw;
	w = strenc_text(buf, sizeof(buf), s, room, tp->utf8 ? 0 : STRENC_ASCII);
	attrset(a);
	mvaddstr(y, x, buf);
	attrset(A_NORMAL);
	return w;
}

int top_putf(const struct top *tp, int y, int x, attr_t a, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return top_put(tp, y, x, -1, a, buf);
}

/* @s as a table cell: its text form cut to @width cells and padded with
 * spaces to them, so the columns after it line up whatever the name. */
void top_text_cell(const struct top *tp, char *buf, size_t len, const char *s, int width)
{
	int w = strenc_text(buf, len, s, width, tp->utf8 ? 0 : STRENC_ASCII);
	size_t n = strlen(buf);

	for (; w < width && n + 1 < len; w++)
		buf[n++] = ' ';
	buf[n] = '\0';
}

void top_fmt_rate(double r, char *buf, size_t len)
{
	if (fabs(r) < 0.05)
		snprintf(buf, len, "0");
	else if (fabs(r) < 10)
		snprintf(buf, len, "%+.1f", r);
	else if (fabs(r) < 1e6)
		snprintf(buf, len, "%+.0f", r);
	else
		snprintf(buf, len, "%+.0fk", r / 1e3);
}

void top_fmt_interval(double s, char *buf, size_t len)
{
	if (s < 1)
		snprintf(buf, len, "%.0fms", s * 1e3);
	else
		snprintf(buf, len, "%gs", s);
}
