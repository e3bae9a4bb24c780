/* SPDX-License-Identifier: MIT */
/*
 * top_priv: what the dashboard's files share and nothing else sees: the
 * engine's state (struct top: the sampler thread's part, the part under
 * the mutex, the UI thread's part) and the functions one file of the
 * dashboard calls in another.  top.c runs the two threads; top_sampler.c
 * is the sampler thread; top_term.c the terminal and drawing primitives;
 * top_draw.c the frame and the list screen; top_draw_detail.c the detail
 * and help screens; top_draw_doctor.c the findings screen; top_doctor.c
 * the doctor's checks in the sampler thread; top_input.c keys and the
 * mouse.  The pure logic is top_model.c's (and top_findings.c's).
 */
#ifndef PORTSTAT_TOP_PRIV_H
#define PORTSTAT_TOP_PRIV_H

/* Before <term.h>: its capability macros (lines, columns, ...) would
 * rewrite parameter names in the project's headers. */
#include "allns.h"

#include <curses.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cli.h"
#include "collector.h"
#include "sampler.h"
#include "split.h"
#include "table.h"
#include "top_detail.h"
#include "top_model.h"


/* Header lines above the table: title, two of state totals, status. */
#define TOP_HEAD_LINES	4
/* Peers listed on the detail screen at most. */
#define TOP_DETAIL_ROWS	64

/* Semantic colour roles; attributes come from top_role_attr(). */
enum top_role {
	ROLE_NORMAL,
	ROLE_TITLE,
	ROLE_COLHDR,
	ROLE_SELECTED,
	ROLE_ALERT,	/* rising CLOSE-WAIT / SYN-RECV */
	ROLE_RISE,
	ROLE_FALL,
	ROLE_ERROR,
	ROLE_WARN,	/* paused, late samples, replay ended */
	ROLE_KEY,
	ROLE_SORTHDR,	/* the header cell of the sort column */
	ROLE_COUNT,
};

/* The namespaces of one sample, as the model takes them: ns[0] the whole
 * sample (the front or back table), then with --all-netns each namespace
 * read, borrowing its table and label from r. */
struct top_nsset {
	struct top_ns *ns;
	size_t n, cap;
	struct allns_result *r;		/* --all-netns: every namespace listed */
	size_t nr;
	size_t failed;			/* listed, but could not be read */
	char note[700];			/* the first of those: "LABEL: why" */
};

/* Shared between the UI and the sampler thread; everything under mu. */
struct top_shared {
	pthread_mutex_t mu;
	pthread_cond_t cv;		/* wakes the sampler: requests changed */
	int efd;			/* wakes the UI: a sample (or error) is in */
	/* results, written by the sampler */
	struct table *front;
	struct top_nsset nsfront;
	struct top_findings ffront;	/* the doctor's findings of front */
	struct top_detail *dfront;
	uint32_t dfront_ns;		/* the namespace dfront was collected in */
	char dnote[512];		/* why dfront is empty, if it is */
	struct sampler_info info;
	unsigned long produced;		/* samples swapped in */
	bool fresh;			/* front changed since the UI looked */
	int err;			/* the last sample's failure, 0 if none */
	char errmsg[512];
	bool ended;			/* the replay ran out */
	bool late;			/* the last sample took longer than the interval */
	/* requests, written by the UI */
	bool quit, paused, kick;
	double interval;
	bool want_detail;
	uint32_t dns;
	uint16_t dport;
	uint8_t ddir;
};

struct top {
	const struct config *cfg;
	struct top_shared sh;
	bool mutex_ok, cond_ok, thread_ok;
	pthread_t tid;
	/* the sampler thread's own */
	struct collector *c;
	struct split *sp;
	struct top_doctor *td;
	struct table *back;
	struct top_findings fback;
	struct top_nsset nsback;
	struct top_detail *dback;
	char dback_note[512];
	/* the UI thread's own */
	struct top_hist *hist;
	struct top_ui ui;
	struct top_row *rows;		/* visible rows of the frame */
	size_t rows_cap;
	struct timespec last_time;	/* the last consumed sample's */
	SCREEN *screen;
	bool utf8, color, curses_on, mouse;
	char host[64];
	/* the list's columns as last drawn, for mouse clicks */
	struct top_col cols[TOP_COLS_MAX];
	size_t ncols;
	size_t hidden;			/* columns that did not fit */
	struct services *svc;		/* SERVICE names; NULL with -n */
	bool hidden_on_status;		/* ... and no room to say so in the header */
	/* the findings screen's lines as last laid out */
	struct top_fline *flines;
	size_t flines_cap;
};

/* ---- top_sampler.c ---- */

/* top_sampler_main - the sampler thread (its argument: the struct top). */
void *top_sampler_main(void *arg);

/* ---- top_doctor.c ---- */

struct top_doctor;

/* top_doctor_new - the dashboard's doctor (default thresholds, as
 * `portstat doctor` without --warn/--crit).  0 or -ENOMEM. */
int top_doctor_new(struct top_doctor **out);

/* top_doctor_delete - accepts NULL. */
void top_doctor_delete(struct top_doctor *td);

/*
 * top_doctor_sample - split_run() with @sp (NULL: sampler_run()) of @c
 * into @t whose dumps also run the doctor's checks, their findings into
 * @out (cleared first; out->ran false and out->note set when they could
 * not run).  Returns what split_run() returns.
 */
int top_doctor_sample(struct top_doctor *td, struct split *sp, struct collector *c,
		      struct table *t, struct sampler_info *info, struct top_findings *out);

/* top_doctor_allns_tap - the tap for allns_tables_tap(): each namespace's
 * findings kept in its result. */
const struct allns_tap *top_doctor_allns_tap(struct top_doctor *td);

/* top_doctor_gather - every namespace's findings of an allns_tables_tap()
 * sample (@r, @n) into @out, worst first.  0 or -ENOMEM. */
int top_doctor_gather(const struct allns_result *r, size_t n, struct top_findings *out);

/* ---- top_term.c ---- */

/* top_term_check - checks that need no curses (a terminal on stdin and
 * stdout, TERM set), so the message reaches a normal stderr.  0 or
 * -ENOTTY with the reason in @err. */
int top_term_check(char *err, size_t errlen);

/* top_curses_init - the terminal in curses mode, colours and (unless
 * --no-mouse) mouse reports.  0 or -ENOTTY with the reason in @err. */
int top_curses_init(struct top *tp, char *err, size_t errlen);

/* top_curses_done - the terminal back as it was; idempotent. */
void top_curses_done(struct top *tp);

/* top_role_attr - the attributes of role @r, in colour or monochrome. */
attr_t top_role_attr(const struct top *tp, enum top_role r);

/* top_put - @s at (@y, @x) in its text form (strenc), clipped to @maxw
 * cells (negative: the screen).  Returns the cells written.  Every string
 * drawn goes through here. */
int top_put(const struct top *tp, int y, int x, int maxw, attr_t a, const char *s);

/* top_putf - top_put() of a formatted string. */
int top_putf(const struct top *tp, int y, int x, attr_t a, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* top_text_cell - @s as a table cell @width cells wide, padded. */
void top_text_cell(const struct top *tp, char *buf, size_t len, const char *s, int width);

/* top_fmt_rate - a change per second: "0", "+1.5", "-12", "+2k". */
void top_fmt_rate(double r, char *buf, size_t len);

/* top_fmt_interval - "500ms", "2s". */
void top_fmt_interval(double s, char *buf, size_t len);

/* ---- top_draw.c ---- */

/* top_draw - one whole frame of the screen the UI is on. */
void top_draw(struct top *tp);

/* top_draw_footer - the key bar: @keys pairs (key, what), NULL-ended,
 * as many whole pairs as fit. */
void top_draw_footer(struct top *tp, const char *const *keys);

/* top_rows_settle - the visible rows into tp->rows with the selection
 * settled on them; returns their number. */
size_t top_rows_settle(struct top *tp);

/* ---- top_draw_detail.c ---- */

/* top_draw_detail - the detail screen of the selected row. */
void top_draw_detail(struct top *tp);

/* top_draw_help - the help screen. */
void top_draw_help(struct top *tp);

/* ---- top_draw_doctor.c ---- */

/* top_draw_doctor - the findings screen. */
void top_draw_doctor(struct top *tp);

/* ---- top_input.c ---- */

/* top_read_keys - every key and mouse event waiting, applied (mu held).
 * Returns true when the UI should quit. */
bool top_read_keys(struct top *tp);

#endif
