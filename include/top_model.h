/* SPDX-License-Identifier: MIT */
/*
 * top_model: everything the live dashboard decides without a terminal, so
 * each part is a unit-test case: per-row history across samples
 * (mark-and-sweep, rates per second, sparkline series), sparkline scaling,
 * which rows show in which order (per namespace or merged, with
 * --all-netns), the column layout for a width, and the interaction state
 * (selection, scroll, sort, filter, direction, namespaces, pause,
 * interval, which screen) with key handling as a function from (state,
 * key) to state.  No curses, no I/O, no threads; top.c draws what this
 * decides.  Implemented in top_hist.c (history, sparkline), top_layout.c
 * (columns, rows) and top_model.c (interaction).
 */
#ifndef PORTSTAT_TOP_MODEL_H
#define PORTSTAT_TOP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doctor.h"
#include "portset.h"
#include "table.h"
#include "tcp_state.h"

/* Samples of history kept per row: the longest sparkline. */
#define TOP_HIST_LEN	30
/* A sparkline narrower than this says nothing; the column drops instead. */
#define TOP_SPARK_MIN	8

/* The NETNS column is at most this wide; longer labels are cut. */
#define TOP_NS_WIDTH_MAX	24
/* Room for a namespace label (netns.h's), NUL included. */
#define TOP_LABEL_LEN		128

/* ---- sample ------------------------------------------------------------ */

/*
 * One namespace's table of a sample, as the model takes a sample: an array
 * whose entry 0 is the whole sample (the one namespace read, or with
 * --all-netns every namespace merged: id 0, no label), followed with
 * --all-netns by each namespace read (a non-zero id that stays the same
 * across samples, such as the nsfs inode, and its label).
 */
struct top_ns {
	uint32_t id;
	const char *label;		/* borrowed; NULL for entry 0 */
	const struct table *table;	/* borrowed */
};

/* ---- history ----------------------------------------------------------- */

/* One (namespace, port, direction) row as the dashboard remembers it
 * across samples. */
struct top_hist_row {
	uint32_t ns;			/* struct top_ns.id */
	uint16_t port;
	uint8_t dir;			/* enum table_dir */
	bool seen;			/* mark of the current sweep */
	bool has_prev;			/* prev[] is the previous sample's */
	uint32_t n[TCP_STATE_MAX + 1];
	uint32_t prev[TCP_STATE_MAX + 1];
	uint64_t total, prev_total;
	/* Ring buffers, oldest first from index (head - len) mod TOP_HIST_LEN. */
	uint32_t h_cw[TOP_HIST_LEN];	/* close_wait */
	uint32_t h_total[TOP_HIST_LEN];
	unsigned len, head;
};

struct top_hist;

/* top_hist_new - empty history; NULL when out of memory. */
struct top_hist *top_hist_new(void);

/* top_hist_delete - accepts NULL. */
void top_hist_delete(struct top_hist *h);

/*
 * top_hist_update - take in one finished sample, @ns (@n entries, see
 * struct top_ns; at least entry 0), taken @dt seconds after the previous
 * one (<= 0: no rates for this step).  Rows of every entry are updated or
 * created, keyed by (id, port, direction), so merged and per-namespace
 * rows both keep their history whichever is shown; rows not in the sample
 * are dropped (mark and sweep), with their history.  Entry 0's per-state
 * totals are the sample's.  Returns 0 or -ENOMEM (the history is then
 * still consistent, only missing rows).
 */
int top_hist_update(struct top_hist *h, const struct top_ns *ns, size_t n, double dt);

/* top_hist_find - the row of (@ns, @port, @dir), or NULL.  Borrowed until
 * the next update. */
const struct top_hist_row *top_hist_find(const struct top_hist *h, uint32_t ns,
					 uint16_t port, uint8_t dir);

/* top_hist_samples - samples taken in so far. */
unsigned long top_hist_samples(const struct top_hist *h);

/*
 * top_hist_rate - change per second of a row's count for @sort's column
 * (a state's count, or the total for TOTAL and PORT) since the previous
 * sample; a row that is new counts from 0.  Returns false when there is no
 * rate (first sample, or no time passed).
 */
bool top_hist_rate(const struct top_hist *h, const struct top_hist_row *r,
		   const struct table_sort *sort, double *rate);

/* top_hist_state_rate - the same for a namespace-wide state total. */
bool top_hist_state_rate(const struct top_hist *h, enum tcp_state s, double *rate);

/*
 * top_hist_series - the row's sparkline series into @out (at most
 * TOP_HIST_LEN values, oldest first): close_wait when the row holds any
 * now, else the total.  *is_cw tells which.  Returns the number of values.
 */
size_t top_hist_series(const struct top_hist_row *r, uint32_t *out, bool *is_cw);

/* ---- sparkline --------------------------------------------------------- */

/* top_spark_level - @v on a 0..8 scale of 0..@max: 0 only for 0, 8 for
 * @max, anything non-zero at least 1 so a single socket shows. */
int top_spark_level(uint32_t v, uint32_t max);

/*
 * top_spark_render - the last @width values of @v (@n of them) as a
 * NUL-terminated sparkline in @out, right-aligned (blank on the left while
 * history is short): UTF-8 block glyphs (3 bytes each) when @utf8, else
 * ASCII.  @outlen must hold 3 * @width + 1 bytes.  Returns the columns
 * written (always @width).
 */
int top_spark_render(const uint32_t *v, size_t n, int width, bool utf8,
		     char *out, size_t outlen);

/* ---- layout ------------------------------------------------------------ */

enum top_col_kind {
	TOP_COL_NETNS,
	TOP_COL_PORT,
	TOP_COL_DIR,
	TOP_COL_SERVICE,
	TOP_COL_STATE,
	TOP_COL_TOTAL,
	TOP_COL_RATE,
	TOP_COL_SPARK,
};

struct top_col {
	enum top_col_kind kind;
	enum tcp_state state;	/* TOP_COL_STATE; TOP_COL_RATE: its state, 0 total */
	int x, width;		/* screen column and width in cells */
};

/* NETNS, PORT, DIR, SERVICE, eleven states, TOTAL, RATE, SPARK. */
#define TOP_COLS_MAX	18
/* The SERVICE column at its widest (longer names are cut). */
#define TOP_SERVICE_WIDTH_MAX	16

/* Cells kept free at the right of the column header for "+N cols". */
#define TOP_HIDDEN_MARK	8

/*
 * top_layout - the columns of the port table for a screen @width cells
 * wide, in display order, into @out (TOP_COLS_MAX).  A NETNS column
 * @ns_width wide comes first unless @ns_width is 0 (top_ns_width()); a
 * SERVICE column @svc_width wide follows DIR unless @svc_width is 0.
 * State columns are those of @states (the filter) that are non-zero in
 * @totals, always shown (LISTEN, ESTAB, TIME-WAIT, CLOSE-WAIT, as in the
 * text report) or sorted by.  The sort column has a cell more for its
 * arrow; the rate column measures @rate (NULL: the total) and is as wide
 * as its title.  When they do not fit, the sparkline narrows to
 * TOP_SPARK_MIN, then whole columns drop, least important first (CLOSE,
 * SERVICE, CLOSING, SYN-SENT, LAST-ACK, FIN-WAIT-1, FIN-WAIT-2, LISTEN, TIME-WAIT,
 * HISTORY, SYN-RECV, ESTAB, the rate, CLOSE-WAIT),
 * the sparkline leaving TOP_HIDDEN_MARK cells for the mark that says so
 * (without it the mark may not fit: top.c then puts it on the status
 * line); NETNS, PORT,
 * DIR, TOTAL and the sort column always stay.  The number of columns
 * dropped goes to *@hidden (when not NULL).  Returns the number of columns.
 */
size_t top_layout(int width, int ns_width, int svc_width, uint32_t states,
		  const uint64_t *totals, uint64_t total, const struct table_sort *sort,
		  const struct table_sort *rate, struct top_col *out, size_t *hidden);

/* top_col_label - a column's name ("CLOSE-WAIT", "TOTAL"); the rate
 * column's is that of the state it measures. */
const char *top_col_label(const struct top_col *c);

/*
 * top_col_title - the header text of @c into @buf: its label, for the rate
 * column "\u0394LABEL/s" (ASCII "dLABEL/s" unless @utf8), and for the column
 * @sort sorts by an arrow after it pointing the way the rows go (down:
 * largest first, or for PORT when @reverse).  Returns the cells it takes.
 */
int top_col_title(const struct top_col *c, const struct table_sort *sort, bool reverse,
		  bool utf8, char *buf, size_t len);

/* top_col_sorts - whether @c is the column rows are sorted by. */
bool top_col_sorts(const struct top_col *c, const struct table_sort *sort);

/* ---- rows -------------------------------------------------------------- */

/* One row on screen: a table row and the namespace it belongs to. */
struct top_row {
	const struct table_row *r;	/* borrowed from the sample */
	uint32_t ns;			/* struct top_ns.id: 0 merged, or the only one */
	const char *label;		/* borrowed; NULL when there is no NETNS column */
	size_t order;			/* the namespace's place in the sample */
};

/* ---- doctor findings ---------------------------------------------------- */

/* One finding of the dashboard's doctor, in the words of the report
 * (view_doctor.h); the strings are untrusted where they name things (a
 * namespace label) and are drawn through strenc.  Implemented in
 * top_findings.c. */
struct top_finding {
	enum doctor_severity severity;
	enum doctor_check check;
	double rank;			/* the doctor's order within a severity */
	char label[TOP_LABEL_LEN];	/* its namespace with --all-netns, else "" */
	char where[128];
	char numbers[256];
	char why[512];
	char fix[512];
};

/* One sample's findings, over every namespace read. */
struct top_findings {
	bool ran;			/* the checks ran on this sample */
	struct top_finding *v;
	size_t n, cap;
	size_t unread;			/* namespaces the checks could not read */
	char note[256];			/* why not (the first), when !ran or unread */
};

/* top_findings_add - append a copy of @f.  0 or -ENOMEM. */
int top_findings_add(struct top_findings *s, const struct top_finding *f);

/* top_findings_clear - forget the findings (ran false), keep the memory. */
void top_findings_clear(struct top_findings *s);

/* top_findings_done - free; the set is empty after. */
void top_findings_done(struct top_findings *s);

/* top_findings_sort - worst first: by severity, then how far past its
 * warning level each is (the doctor's rank), then check, namespace. */
void top_findings_sort(struct top_findings *s);

/*
 * top_findings_status - the status line's item in at most @width cells:
 * "doctor: 2 findings, worst CRITICAL accept-queue listener
 * 127.0.0.1:8080 (LABEL)", whole words dropped from the end as the width
 * shrinks (the namespace, where, the check, the severity, "findings")
 * down to "doctor: 2"; "doctor: OK" without findings; "" when the checks
 * did not run or nothing fits.  Returns its width in cells.
 */
int top_findings_status(const struct top_findings *s, int width, char *buf, size_t len);

/* A line of the findings screen. */
#define TOP_FLINE_MAX	512
struct top_fline {
	enum doctor_severity severity;	/* its finding's (OK: not a finding's) */
	bool head;			/* the finding's first line */
	int indent;			/* cells before the text */
	char text[TOP_FLINE_MAX];
};

/*
 * top_findings_lines - the findings screen at @width cells: per finding,
 * worst first, "SEVERITY check where" (and "netns LABEL"), then its
 * numbers, "why: ..." and "fix: ...", indented, each wrapped at spaces so
 * no line is wider than @width unless one word is (top_put() clips it).
 * Into *@out (grown with realloc, *@cap entries).  Returns the number of
 * lines, or -ENOMEM.
 */
long top_findings_lines(const struct top_findings *s, int width, struct top_fline **out,
			size_t *cap);

/* ---- interaction ------------------------------------------------------- */

/* Keys beyond plain characters, named so the model needs no curses. */
enum top_key {
	TOP_KEY_UP = 0x10000,
	TOP_KEY_DOWN,
	TOP_KEY_PGUP,
	TOP_KEY_PGDN,
	TOP_KEY_HOME,
	TOP_KEY_END,
	TOP_KEY_ENTER,
	TOP_KEY_ESC,
	TOP_KEY_BACKSPACE,
	TOP_KEY_F10,
};

enum top_screen {
	TOP_SCREEN_LIST,
	TOP_SCREEN_DETAIL,
	TOP_SCREEN_HELP,
	TOP_SCREEN_DOCTOR,	/* the doctor's findings (D) */
};

enum top_dirmode {
	TOP_DIR_BOTH,
	TOP_DIR_IN,
	TOP_DIR_OUT,
};

struct top_ui {
	enum top_screen screen;
	enum top_screen under_help;	/* where h/? was pressed */
	/* '/' being typed */
	bool editing;
	char edit[64];
	/* the applied view filter */
	bool has_ports;
	struct portset ports;
	char filter[64];		/* its text, for the status line */
	enum top_dirmode dir;
	struct table_sort sort;
	bool reverse;
	uint32_t states;		/* the filter's states */
	/* what the rate column measures: the total or a state */
	struct table_sort rate;
	/* the columns on screen that sort (PORT, states, TOTAL) in display
	 * order, set by top_ui_columns(); before it, the filter's states */
	struct table_sort sortable[TCP_STATE_COUNT + 2];
	size_t nsortable;
	bool paused;
	double interval;		/* seconds */
	/* --all-netns: the sample holds several namespaces, shown one row
	 * per namespace (NETNS column) unless merged */
	bool all_netns;
	bool ns_merged;
	/* selection: by row index while moving, by key across samples */
	size_t sel, scroll;
	bool sel_by_index;
	bool has_sel;
	uint32_t sel_ns;
	uint16_t sel_port;
	uint8_t sel_dir;
	char sel_label[TOP_LABEL_LEN];	/* "" without a NETNS column */
	/* the detail screen's row */
	uint32_t detail_ns;
	uint16_t detail_port;
	uint8_t detail_dir;
	char detail_label[TOP_LABEL_LEN];
	/* set by the engine before keys: visible rows and rows per page */
	size_t nrows;
	size_t page;
	/* the findings screen: its first line shown; the engine clamps it
	 * to the lines there are (doc_lines, doc_page rows) */
	size_t doc_scroll, doc_lines, doc_page;
	char msg[160];			/* a key's complaint, for the status line */
};

/* What a key asks of the engine besides a redraw (bits). */
enum {
	TOP_ACT_QUIT = 1u << 0,
	TOP_ACT_PAUSE = 1u << 1,	/* ui->paused changed */
	TOP_ACT_INTERVAL = 1u << 2,	/* ui->interval changed */
	TOP_ACT_DETAIL = 1u << 3,	/* the detail screen opened or closed */
	TOP_ACT_OPEN = 1u << 4,		/* settle the selection, then open it */
};

/* top_ui_init - the starting state: list screen, @sort, sortable states
 * @states (the filter's), sampling every @interval seconds; rows per
 * namespace when @all_netns.  The rate column measures the state most
 * telling under the filter: the only one when @states has one, else
 * close_wait when it is let through, else the total. */
void top_ui_init(struct top_ui *ui, const struct table_sort *sort, uint32_t states,
		 double interval, bool all_netns);

/*
 * top_ui_key - apply one key (a character or an enum top_key) to @ui.
 * Returns TOP_ACT_* bits for the engine; unknown keys change nothing.
 */
unsigned top_ui_key(struct top_ui *ui, int key);

/* top_ui_shows - whether @r passes the view's port filter and direction. */
bool top_ui_shows(const struct top_ui *ui, uint16_t port, uint8_t dir);

/* top_ui_columns - tell @ui the columns on screen (@cols, @n, from
 * top_layout()), so s, < and > move through those that are shown. */
void top_ui_columns(struct top_ui *ui, const struct top_col *cols, size_t n);

/*
 * top_ui_click - a mouse click on the list: @line -1 is the column header
 * (a click on a sortable column sorts by it; on the sort column again, it
 * reverses), 0 and up the table's rows on screen (@cols, @n as drawn; the
 * row is selected).  @x is the cell clicked, @dbl a double click (on a row:
 * TOP_ACT_OPEN, the engine opens its detail).  Returns TOP_ACT_* bits.
 */
unsigned top_ui_click(struct top_ui *ui, const struct top_col *cols, size_t n, int line,
		      int x, bool dbl);

/* top_ui_split - whether rows are per namespace (a NETNS column). */
bool top_ui_split(const struct top_ui *ui);

/*
 * top_rows_max - room top_rows() may need for sample @ns (@n entries).
 */
size_t top_rows_max(const struct top_ns *ns, size_t n);

/*
 * top_rows - the rows the view shows, in display order, into @out (room
 * for top_rows_max()): entry 0's rows of sample @ns (@n entries), or when
 * top_ui_split() those of every later entry, labelled; sorted by the sort
 * column (ties by port, in before out, then namespace order), passing the
 * port filter and direction, reversed when asked.  Returns their number.
 */
size_t top_rows(const struct top_ui *ui, const struct top_ns *ns, size_t n,
		struct top_row *out);

/* top_ns_width - the NETNS column's width for sample @ns (@n entries):
 * 0 unless top_ui_split(), else its longest label, within 5 (the header)
 * and TOP_NS_WIDTH_MAX. */
int top_ns_width(const struct top_ui *ui, const struct top_ns *ns, size_t n);

/*
 * top_ui_follow - settle the selection on the visible rows @rows (@n, in
 * display order) with @page rows on screen: the selected (namespace, port,
 * dir) keeps its selection when rows re-sort, or failing that the first
 * row of its (port, dir) (rows merged or split by 'n'); after a move key
 * the index wins.  Clamps and scrolls so the selection is on screen.
 */
void top_ui_follow(struct top_ui *ui, const struct top_row *rows, size_t n, size_t page);

/* top_ui_sort_label - "total", "port" or a state name, for the status line. */
const char *top_ui_sort_label(const struct top_ui *ui);

#endif
