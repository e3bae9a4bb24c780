/*
 * top: the dashboard engine.  Two threads: the sampler thread owns the
 * collector and a back table it fills with the same sampler_run() /
 * split_run() the report uses (with --all-netns, allns_tables(): one table
 * per namespace, sampled in parallel, and their sum), then swaps it with
 * the front table under a mutex and wakes the UI through an eventfd; the
 * UI thread owns the terminal, polls stdin and the eventfd together (ppoll,
 * so signals and resizes interrupt it without races), and redraws the
 * whole frame from the front sample and the model (top_model.h).  Keys are
 * answered while a long sample runs because nothing on the input path
 * waits for one.
 */
/* Before <term.h>: its capability macros (lines, columns, ...) would
 * rewrite parameter names in the project's headers. */
#include "allns.h"

#include <curses.h>
#include <term.h>
#include <errno.h>
#include <inttypes.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "cli.h"
#include "collector.h"
#include "sampler.h"
#include "split.h"
#include "strenc.h"
#include "table.h"
#include "top.h"
#include "top_detail.h"
#include "top_model.h"

/* Set by SIGINT, SIGTERM and SIGHUP: leave the loop and restore the
 * terminal on the normal path. */
static volatile sig_atomic_t top_stop;

/* Header lines above the table: title, two of state totals, status. */
#define TOP_HEAD_LINES	4
/* Peers listed on the detail screen at most. */
#define TOP_DETAIL_ROWS	64

/* Semantic colour roles; attributes come from role_attr(). */
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
	struct table *back;
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
	bool utf8, color, curses_on;
	char host[64];
};

static void on_signal(int sig)
{
	(void)sig;
	top_stop = 1;
}

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct timespec mono_abs(double t)
{
	struct timespec ts;

	ts.tv_sec = (time_t)t;
	ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

static void wake_ui(struct top_shared *sh)
{
	uint64_t one = 1;

	/* A full counter already means "wake up"; nothing is lost. */
	if (write(sh->efd, &one, sizeof(one)) < 0)
		return;
}

/* ---- sampler thread ---------------------------------------------------- */

/* A namespace's id for the model: nsfs inode numbers are 32 bits (the
 * kernel's proc_inum), and never 0. */
static uint32_t ns_id(const struct netns_entry *e)
{
	return (uint32_t)e->ino;
}

/* One sample of every namespace: each one's table into tp->nsback, their
 * sum into tp->back.  A namespace that vanished since it was listed is
 * left out quietly; one that could not be read is counted and the first
 * one's reason kept.  Returns 0 or -errno (@err says why). */
static int sample_allns(struct top *tp, struct sampler_info *info, char *err, size_t errlen)
{
	struct top_nsset *set = &tp->nsback;
	struct allns_result *old = set->r;
	size_t nold = set->nr;
	double start = mono_now();
	int ret;

	set->r = NULL;
	set->nr = set->n = set->failed = 0;
	set->note[0] = '\0';
	memset(info, 0, sizeof(*info));
	info->complete = true;
	info->attempts = info->shares = 1;
	clock_gettime(CLOCK_REALTIME, &info->time);
	/* The last back set's tables are filled again, not made anew. */
	ret = allns_tables(&tp->cfg->filter, old, nold, &set->r, &set->nr, err, errlen);
	allns_free(old, nold);
	if (ret < 0)
		return ret;
	if (set->cap < set->nr + 1) {
		struct top_ns *nv = realloc(set->ns, (set->nr + 1) * sizeof(*nv));

		if (!nv)
			goto nomem;
		set->ns = nv;
		set->cap = set->nr + 1;
	}
	table_clear(tp->back);
	set->ns[set->n++] = (struct top_ns){ .table = tp->back };
	for (size_t i = 0; i < set->nr; i++) {
		const struct allns_result *r = &set->r[i];

		if (r->vanished)
			continue;
		if (r->err || !r->table) {
			if (set->failed++ == 0)
				snprintf(set->note, sizeof(set->note), "%s: %s", r->ns.label,
					 r->note[0] ? r->note : strerror(-r->err));
			continue;
		}
		if (!r->complete && info->complete) {
			info->complete = false;
			snprintf(info->note, sizeof(info->note), "%.127s: %.380s", r->ns.label,
				 r->note);
		}
		set->ns[set->n++] = (struct top_ns){
			.id = ns_id(&r->ns), .label = r->ns.label, .table = r->table,
		};
		if (table_merge(tp->back, r->table) < 0)
			goto nomem;
	}
	info->cost_ms = (mono_now() - start) * 1e3;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -ENOMEM;
}

/* The detail of (@ns, @port, @dir) from the sample just taken into
 * tp->nsback: a dump of that one namespace.  Rows merged across
 * namespaces (@ns 0) have none. */
static void detail_allns(struct top *tp, uint32_t ns, uint16_t port, uint8_t dir)
{
	const struct top_nsset *set = &tp->nsback;

	top_detail_clear(tp->dback);
	tp->dback_note[0] = '\0';
	if (!ns)
		return;
	for (size_t i = 0; i < set->nr; i++) {
		const struct allns_result *r = &set->r[i];
		struct collector *c = NULL;

		if (!r->table || ns_id(&r->ns) != ns)
			continue;
		if (collector_open_live(&c, r->ns.path, tp->dback_note, sizeof(tp->dback_note)) == 0) {
			/* a path by pid names another namespace once the
			 * pid is reused */
			if (collector_netns_is(c, r->ns.dev, r->ns.ino))
				top_detail_collect(tp->dback, c, r->table, port, dir);
			else
				snprintf(tp->dback_note, sizeof(tp->dback_note),
					 "the namespace is gone");
		}
		collector_close(c);
		return;
	}
	snprintf(tp->dback_note, sizeof(tp->dback_note), "the namespace is gone");
}

static void *sampler_main(void *arg)
{
	struct top *tp = arg;
	struct top_shared *sh = &tp->sh;
	bool started = false, done = false, live = !tp->cfg->replay;
	double last_start = 0;

	pthread_mutex_lock(&sh->mu);
	for (;;) {
		bool want;
		uint32_t ns;
		uint16_t port;
		uint8_t dir;
		struct sampler_info info;
		char err[512] = "";
		int ret;

		while (!sh->quit) {
			double next = last_start + sh->interval;
			struct timespec ts;

			if (sh->paused || sh->ended || done) {
				pthread_cond_wait(&sh->cv, &sh->mu);
				continue;
			}
			if (sh->kick || !started || mono_now() >= next)
				break;
			ts = mono_abs(next);
			pthread_cond_timedwait(&sh->cv, &sh->mu, &ts);
		}
		if (sh->quit)
			break;
		sh->kick = false;
		want = sh->want_detail;
		ns = sh->dns;
		port = sh->dport;
		dir = sh->ddir;
		pthread_mutex_unlock(&sh->mu);

		last_start = mono_now();
		started = true;
		if (tp->cfg->all_netns) {
			ret = sample_allns(tp, &info, err, sizeof(err));
		} else {
			ret = tp->sp ? split_run(tp->sp, tp->c, tp->back, &info)
				     : sampler_run(tp->c, tp->back, &info);
			if (ret < 0)
				snprintf(err, sizeof(err), "%s", collector_error(tp->c));
			tp->nsback.ns[0] = (struct top_ns){ .table = tp->back };
			tp->nsback.n = 1;
		}
		tp->dback_note[0] = '\0';
		if (ret == 0 && want && live && tp->cfg->all_netns)
			detail_allns(tp, ns, port, dir);
		else if (ret == 0 && want && live)
			top_detail_collect(tp->dback, tp->c, tp->back, port, dir);
		else
			top_detail_clear(tp->dback);

		pthread_mutex_lock(&sh->mu);
		if (sh->paused) {
			/* Paused while this sample ran: the screen froze at
			 * the key press, so the sample is dropped. */
			continue;
		}
		if (ret == 0) {
			struct table *t = sh->front;
			struct top_nsset set = sh->nsfront;
			struct top_detail *d = sh->dfront;

			sh->front = tp->back;
			tp->back = t;
			sh->nsfront = tp->nsback;
			tp->nsback = set;
			sh->dfront = tp->dback;
			tp->dback = d;
			sh->dfront_ns = ns;
			snprintf(sh->dnote, sizeof(sh->dnote), "%s", tp->dback_note);
			sh->info = info;
			sh->fresh = true;
			sh->produced++;
			sh->err = 0;
			sh->late = info.cost_ms > sh->interval * 1e3;
			if (tp->cfg->count && sh->produced >= tp->cfg->count)
				done = true;
		} else if (ret == -ENODATA) {
			sh->ended = true;
		} else {
			/* Shown on the status line; the next sample may do better.
			 * Not a replay's: a damaged recording stays damaged, so
			 * the replay ends there, and 'top' exits 1 with it. */
			sh->err = ret;
			snprintf(sh->errmsg, sizeof(sh->errmsg), "%s", err);
			if (!live)
				done = true;
		}
		wake_ui(sh);
	}
	pthread_mutex_unlock(&sh->mu);
	return NULL;
}

/* ---- terminal ---------------------------------------------------------- */

static attr_t role_attr(const struct top *tp, enum top_role r)
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
	};

	if (!tp->color || r == ROLE_NORMAL || r == ROLE_SELECTED)
		return mono[r];
	return COLOR_PAIR(r) | (r == ROLE_ALERT || r == ROLE_ERROR || r == ROLE_TITLE ||
				r == ROLE_KEY ? A_BOLD : A_NORMAL);
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
}

/* Checks that need no curses, so the message reaches a normal stderr. */
static int term_check(char *err, size_t errlen)
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

static int curses_init(struct top *tp, char *err, size_t errlen)
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
	return 0;
}

static void curses_done(struct top *tp)
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
static int put(const struct top *tp, int y, int x, int maxw, attr_t a, const char *s)
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

static int putf(const struct top *tp, int y, int x, attr_t a, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int putf(const struct top *tp, int y, int x, attr_t a, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return put(tp, y, x, -1, a, buf);
}

/* @s as a table cell: its text form cut to @width cells and padded with
 * spaces to them, so the columns after it line up whatever the name. */
static void text_cell(const struct top *tp, char *buf, size_t len, const char *s, int width)
{
	int w = strenc_text(buf, len, s, width, tp->utf8 ? 0 : STRENC_ASCII);
	size_t n = strlen(buf);

	for (; w < width && n + 1 < len; w++)
		buf[n++] = ' ';
	buf[n] = '\0';
}

static void fmt_rate(double r, char *buf, size_t len)
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

static void fmt_interval(double s, char *buf, size_t len)
{
	if (s < 1)
		snprintf(buf, len, "%.0fms", s * 1e3);
	else
		snprintf(buf, len, "%gs", s);
}

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
	fmt_interval(tp->ui.interval, iv, sizeof(iv));
	if (tp->cfg->all_netns && sh->produced)	/* how many were read; entry 0 is their sum */
		snprintf(ns, sizeof(ns), "all (%zu)", sh->nsfront.n - 1);
	else if (tp->cfg->all_netns)
		snprintf(ns, sizeof(ns), "all");
	else
		snprintf(ns, sizeof(ns), "%s", tp->cfg->replay ? "(replay)" :
			 tp->cfg->netns ? tp->cfg->netns : "(own)");
	/* Most telling first: a narrow screen clips the end. */
	x += putf(tp, 0, x, role_attr(tp, ROLE_TITLE), "portstat");
	x += putf(tp, 0, x, A_NORMAL, "  %s  ns %s  %s  sockets %" PRIu64 "  every %s", tp->host,
		  ns, when, table_total(t), iv);
	putf(tp, 0, x, sh->late ? role_attr(tp, ROLE_WARN) : A_NORMAL,
	     "  sample %.1fms%s", sh->info.cost_ms, sh->late ? " (late)" : "");

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

			fmt_rate(r, rb, sizeof(rb));
			snprintf(rate, sizeof(rate), " %s/s", rb);
			if (r > 0)
				a = role_attr(tp, st == TCP_STATE_CLOSE_WAIT ||
						  st == TCP_STATE_SYN_RECV ? ROLE_ALERT : ROLE_RISE);
			else
				a = role_attr(tp, ROLE_FALL);
		}
		w = snprintf(item, sizeof(item), "%s %" PRIu64 "%s", tcp_state_label(st), n, rate);
		if (x > 0 && x + 2 + w > COLS) {
			if (++y > 2)
				break;
			x = 0;
		}
		if (x > 0)
			x += 2;
		put(tp, y, x, -1, a, item);
		x += w;
	}
}

static void draw_status(struct top *tp)
{
	const struct top_shared *sh = &tp->sh;
	const struct top_ui *ui = &tp->ui;
	int y = 3, x = 0;

	if (ui->editing) {
		x += putf(tp, y, 0, role_attr(tp, ROLE_KEY), "filter ports (as --port; empty clears): ");
		x += put(tp, y, x, -1, A_NORMAL, ui->edit);
		curs_set(1);
		move(y, x);
		if (ui->msg[0])
			putf(tp, y, x + 2, role_attr(tp, ROLE_ERROR), "%s", ui->msg);
		return;
	}
	x += putf(tp, y, x, A_NORMAL, "#%lu  sort %s %s  dir %s  filter %s", sh->produced,
		  top_ui_sort_label(ui),
		  ui->reverse ? "asc" : "desc",
		  ui->dir == TOP_DIR_IN ? "in" : ui->dir == TOP_DIR_OUT ? "out" : "both",
		  ui->has_ports ? ui->filter : "none");
	if (ui->all_netns)
		x += putf(tp, y, x, A_NORMAL, "  netns %s", ui->ns_merged ? "merged" : "split");
	if (sh->produced && sh->nsfront.failed)
		x += putf(tp, y, x, role_attr(tp, ROLE_WARN), "  %zu unreadable: %s",
			  sh->nsfront.failed, sh->nsfront.note);
	if (ui->paused)
		x += putf(tp, y, x, role_attr(tp, ROLE_WARN), "  PAUSED");
	if (sh->ended)
		x += putf(tp, y, x, role_attr(tp, ROLE_WARN), "  replay ended");
	if (sh->produced && !sh->info.complete)
		x += putf(tp, y, x, role_attr(tp, ROLE_WARN), "  incomplete: %s", sh->info.note);
	if (sh->err)
		x += putf(tp, y, x, role_attr(tp, ROLE_ERROR), "  sample failed: %s", sh->errmsg);
	else if (sh->ended && !sh->produced)
		x += putf(tp, y, x, role_attr(tp, ROLE_ERROR), "  the replay holds no samples");
	if (ui->msg[0])
		putf(tp, y, x, role_attr(tp, ROLE_ERROR), "  %s", ui->msg);
}

static void draw_footer(struct top *tp, const char *const *keys)
{
	int x = 0;

	for (size_t i = 0; keys[i]; i += 2) {
		int w = (int)(strlen(keys[i]) + 1 + strlen(keys[i + 1]));

		if (x + w > COLS)
			break;
		x += put(tp, LINES - 1, x, -1, role_attr(tp, ROLE_KEY), keys[i]);
		x += put(tp, LINES - 1, x, -1, A_NORMAL, " ");
		x += put(tp, LINES - 1, x, -1, A_NORMAL, keys[i + 1]);
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
static size_t rows_settle(struct top *tp)
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
		text_cell(tp, buf, sizeof(buf), row->label ? row->label : "", c->width);
		break;
	case TOP_COL_PORT:
		snprintf(buf, sizeof(buf), "%-*u", c->width, r->port);
		break;
	case TOP_COL_DIR:
		snprintf(buf, sizeof(buf), "%-*s", c->width, r->dir == TABLE_DIR_IN ? "in" : "out");
		break;
	case TOP_COL_STATE: {
		struct table_sort s = { .key = TABLE_SORT_STATE, .state = c->state };

		snprintf(buf, sizeof(buf), "%*" PRIu32, c->width, r->n[c->state]);
		if ((c->state == TCP_STATE_CLOSE_WAIT || c->state == TCP_STATE_SYN_RECV) &&
		    base == A_NORMAL && hr && top_hist_rate(tp->hist, hr, &s, &rate) && rate > 0)
			a = role_attr(tp, ROLE_ALERT);
		break;
	}
	case TOP_COL_TOTAL:
		snprintf(buf, sizeof(buf), "%*" PRIu64, c->width, r->total);
		break;
	case TOP_COL_RATE: {
		char rb[16] = "";

		if (hr && top_hist_rate(tp->hist, hr, &tp->ui.sort, &rate)) {
			fmt_rate(rate, rb, sizeof(rb));
			if (base == A_NORMAL && fabs(rate) >= 0.05)
				a = role_attr(tp, rate > 0 ? ROLE_RISE : ROLE_FALL);
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
			a = role_attr(tp, ROLE_WARN);
		/* Our own glyphs (no untrusted bytes), one cell each, and
		 * the layout already made them fit: drawn as they are. */
		attrset(a);
		mvaddstr(y, c->x, buf);
		attrset(A_NORMAL);
		return;
	}
	}
	put(tp, y, c->x, c->width, a, buf);
}

static void draw_list(struct top *tp, const struct table *t)
{
	struct top_col cols[TOP_COLS_MAX];
	uint64_t totals[TCP_STATE_MAX + 1];
	size_t ncols, nrows, page;
	int top_y = TOP_HEAD_LINES + 1;
	static const char *const keys[] = {
		/* Most needed first: a narrow screen keeps these. */
		"q", "quit", "h", "help", "Enter", "detail", "/", "filter", "s", "sort",
		"r", "rev", "d", "dir", "p", "pause", "+-", "intvl", NULL,
	};
	static const char *const keys_allns[] = {
		"q", "quit", "h", "help", "Enter", "detail", "n", "netns", "/", "filter",
		"s", "sort", "r", "rev", "d", "dir", "p", "pause", "+-", "intvl", NULL,
	};

	for (int s = 0; s <= TCP_STATE_MAX; s++)
		totals[s] = table_state_total(t, (enum tcp_state)s);
	ncols = top_layout(COLS, top_ns_width(&tp->ui, tp->sh.nsfront.ns, tp->sh.nsfront.n),
			   table_filter(t)->states, totals, table_total(t), &tp->ui.sort, cols);
	attrset(role_attr(tp, ROLE_COLHDR));
	mvhline(TOP_HEAD_LINES, 0, ' ', COLS);
	for (size_t i = 0; i < ncols; i++) {
		const struct top_col *c = &cols[i];
		char buf[64];
		bool left = c->kind == TOP_COL_NETNS || c->kind == TOP_COL_PORT ||
			    c->kind == TOP_COL_DIR || c->kind == TOP_COL_SPARK;

		snprintf(buf, sizeof(buf), left ? "%-*s" : "%*s", c->width, top_col_label(c));
		put(tp, TOP_HEAD_LINES, c->x, c->width, role_attr(tp, ROLE_COLHDR), buf);
	}
	attrset(A_NORMAL);

	nrows = rows_settle(tp);
	page = tp->ui.page;
	for (size_t i = tp->ui.scroll; i < nrows && i < tp->ui.scroll + page; i++) {
		int y = top_y + (int)(i - tp->ui.scroll);
		bool sel = i == tp->ui.sel;
		attr_t base = sel ? role_attr(tp, ROLE_SELECTED) : A_NORMAL;

		if (sel) {
			attrset(base);
			mvhline(y, 0, ' ', COLS);
			attrset(A_NORMAL);
		}
		for (size_t k = 0; k < ncols; k++)
			draw_cell(tp, y, &cols[k], &tp->rows[i], base);
	}
	if (!nrows)
		put(tp, top_y, 0, -1, A_NORMAL, tp->sh.produced ? "(no rows match)" : "(sampling...)");
	draw_footer(tp, tp->ui.all_netns ? keys_allns : keys);
}

/* The row (@ns, @port, @dir) of the front sample, or NULL. */
static const struct table_row *row_find(const struct top *tp, uint32_t ns, uint16_t port,
					uint8_t dir)
{
	const struct top_nsset *set = &tp->sh.nsfront;
	const struct table *t = NULL;

	for (size_t i = 0; i < set->n && !t; i++)
		if (set->ns[i].id == ns)
			t = set->ns[i].table;
	if (!t)
		return NULL;
	for (size_t i = 0; i < table_nrows(t); i++) {
		const struct table_row *r = table_row(t, i);

		if (r->port == port && r->dir == dir)
			return r;
	}
	return NULL;
}

static void fmt_addr(const struct top_peer *p, char *buf, size_t len)
{
	if (!inet_ntop(p->family, p->addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

/* The detail's owner table (pid, comm, sockets held, busiest first) and
 * what could not be attributed; returns the next free line. */
static int draw_owners(struct top *tp, const struct top_detail_sum *ds, int y)
{
	const struct top_detail_owners *o = &ds->owners;
	uint64_t shown = 0;

	if (o->err) {
		putf(tp, y++, 0, role_attr(tp, ROLE_ERROR), "processes: unknown: %s",
		     o->err == -ENOMEM ? "out of memory" : strerror(-o->err));
		return y;
	}
	putf(tp, y++, 0, A_NORMAL, "processes: %zu, holding %" PRIu64 " of %" PRIu64 " sockets",
	     o->nprocs, o->owned, ds->sockets);
	if (!o->nprocs && !o->unowned && !o->no_inode)
		return y;
	attrset(role_attr(tp, ROLE_COLHDR));
	mvhline(y, 0, ' ', COLS);
	attrset(A_NORMAL);
	putf(tp, y++, 0, role_attr(tp, ROLE_COLHDR), "%7s  %-15s %8s  %s", "PID", "COMM", "SOCKETS",
	     "CGROUP");
	for (size_t i = 0; i < o->ntop && y < LINES - 1; i++, y++) {
		char comm[64];

		text_cell(tp, comm, sizeof(comm), o->top[i].comm, 15);
		putf(tp, y, 0, A_NORMAL, "%7d  %s %8" PRIu32 "  %s", o->top[i].pid, comm,
		     o->top[i].sockets, o->top[i].cgroup);
		shown += o->top[i].sockets;
	}
	if (o->nprocs > o->ntop && y < LINES - 1) {
		char more[32];

		snprintf(more, sizeof(more), "(%zu more)", o->nprocs - o->ntop);
		putf(tp, y++, 0, A_NORMAL, "%7s  %-15s %8" PRIu64, "", more, o->owned - shown);
	}
	if (o->unowned && y < LINES - 1)
		putf(tp, y++, 0, role_attr(tp, ROLE_WARN), "%7s  %-15s %8" PRIu64, "?", "?", o->unowned);
	if (o->no_inode && y < LINES - 1)
		putf(tp, y++, 0, A_NORMAL, "%7s  %-15s %8" PRIu64, "-", "(no process)", o->no_inode);
	/* Why "?": as procmap saw it.  Counts stay exact either way. */
	if (o->unowned && o->denied && y < LINES - 1)
		putf(tp, y++, 0, role_attr(tp, ROLE_WARN), "?: %lu process%s of other users "
		     "cannot be inspected without root (CAP_SYS_PTRACE)",
		     o->denied, o->denied == 1 ? "" : "es");
	else if (o->unowned && y < LINES - 1)
		putf(tp, y++, 0, role_attr(tp, ROLE_WARN), "?: held by no process found "
		     "(closed since the dump, or kernel sockets)");
	return y;
}

static void draw_detail(struct top *tp)
{
	const struct top_ui *ui = &tp->ui;
	const struct table_row *r = row_find(tp, ui->detail_ns, ui->detail_port, ui->detail_dir);
	const struct top_detail_sum *ds = top_detail_sum(tp->sh.dfront);
	bool have = ds->valid && ds->port == ui->detail_port && ds->dir == ui->detail_dir &&
		    tp->sh.dfront_ns == ui->detail_ns;
	int y = TOP_HEAD_LINES, x;
	static const char *const keys[] = {
		"Esc", "back", "p", "pause", "+-", "interval", "h", "help", "q", "quit", NULL,
	};

	attrset(role_attr(tp, ROLE_COLHDR));
	mvhline(y, 0, ' ', COLS);
	attrset(A_NORMAL);
	if (ui->detail_label[0])
		putf(tp, y++, 0, role_attr(tp, ROLE_COLHDR), "NETNS %s PORT %u %s: detail",
		     ui->detail_label, ui->detail_port,
		     ui->detail_dir == TABLE_DIR_IN ? "in" : "out");
	else
		putf(tp, y++, 0, role_attr(tp, ROLE_COLHDR), "PORT %u %s: detail%s",
		     ui->detail_port, ui->detail_dir == TABLE_DIR_IN ? "in" : "out",
		     ui->all_netns ? " (all namespaces)" : "");
	x = put(tp, y, 0, -1, A_NORMAL, "sockets by state:");
	if (!r) {
		put(tp, y, x + 1, -1, role_attr(tp, ROLE_WARN), "none in this sample");
	} else {
		for (int i = 0; i < TCP_STATE_COUNT; i++) {
			enum tcp_state st = tcp_state_order[i];

			if (r->n[st])
				x += putf(tp, y, x, A_NORMAL, "  %s %" PRIu32, tcp_state_label(st),
					  r->n[st]);
		}
		putf(tp, y, x, role_attr(tp, ROLE_TITLE), "  TOTAL %" PRIu64, r->total);
	}
	y += 2;
	if (tp->cfg->replay) {
		putf(tp, y++, 0, A_NORMAL, "processes, peers and queues: not in a replay "
		     "(they need a live dump)");
		draw_footer(tp, keys);
		return;
	}
	if (ui->all_netns && !ui->detail_ns) {
		putf(tp, y++, 0, A_NORMAL, "processes, peers and queues: per namespace only "
		     "(Esc, n to split rows by namespace, Enter on one)");
		draw_footer(tp, keys);
		return;
	}
	if (!have && tp->sh.dnote[0] && tp->sh.dfront_ns == ui->detail_ns) {
		putf(tp, y++, 0, role_attr(tp, ROLE_ERROR), "processes, peers and queues: %s",
		     tp->sh.dnote);
		draw_footer(tp, keys);
		return;
	}
	if (!have) {
		putf(tp, y++, 0, role_attr(tp, ROLE_WARN), "processes, peers and queues: %s",
		     ui->paused ? "paused; they come with the next sample" :
				  "collecting with the next sample...");
		draw_footer(tp, keys);
		return;
	}
	putf(tp, y++, 0, A_NORMAL, "queues: Recv-Q %" PRIu64 "  Send-Q %" PRIu64
	     " (connected sockets)  accept queue %" PRIu64 " (listeners)",
	     ds->rqueue, ds->wqueue, ds->accept_queue);
	if (!ds->complete)
		putf(tp, y++, 0, role_attr(tp, ROLE_ERROR), "incomplete: %s", ds->note);
	y = draw_owners(tp, ds, y);
	y++;
	putf(tp, y++, 0, A_NORMAL, "peers: %zu%s", ds->npeers,
	     ds->overflow ? " (more not counted)" : "");
	y++;
	attrset(role_attr(tp, ROLE_COLHDR));
	mvhline(y, 0, ' ', COLS);
	attrset(A_NORMAL);
	putf(tp, y++, 0, role_attr(tp, ROLE_COLHDR), "%-39s %7s  %s", "PEER", "TOTAL", "BY STATE");

	const struct top_peer *peers[TOP_DETAIL_ROWS];
	size_t np = top_detail_peers(tp->sh.dfront, peers, TOP_DETAIL_ROWS);

	for (size_t i = 0; i < np && y < LINES - 1; i++, y++) {
		char addr[INET6_ADDRSTRLEN];

		fmt_addr(peers[i], addr, sizeof(addr));
		x = putf(tp, y, 0, A_NORMAL, "%-39s %7" PRIu64 " ", addr, peers[i]->total);
		for (int k = 0; k < TCP_STATE_COUNT; k++) {
			enum tcp_state st = tcp_state_order[k];

			if (peers[i]->n[st])
				x += putf(tp, y, x, A_NORMAL, " %s %" PRIu32, tcp_state_label(st),
					  peers[i]->n[st]);
		}
	}
	if (ds->overflow && y < LINES - 1)
		putf(tp, y, 0, A_NORMAL, "%-39s %7" PRIu64, "(other peers)", ds->overflow);
	draw_footer(tp, keys);
}

static void draw_help(struct top *tp)
{
	static const char *const help_text[] = {
		"q, F10              quit",
		"Up/Down, j/k        move the selection",
		"PgUp/PgDn, Home/End move by a page, to the first or last row",
		"Enter               detail of the selected port (processes, peers, queues)",
		"Esc, Backspace      back to the list",
		"s or >, <           next / previous sort column",
		"r                   reverse the order",
		"/                   filter ports (80,443,8000-8100); Enter applies, empty clears",
		"d                   direction: both, in, out",
		"n                   namespaces (--all-netns): a row per namespace, or merged",
		"p, space            pause / resume sampling",
		"+, -                longer / shorter interval",
		"h, ?                this help (again: back)",
		"",
		"CHG/s is the change per second of the sort column since the last sample;",
		"HISTORY is close_wait where the row has any, else the total.",
		NULL,
	};
	int y = TOP_HEAD_LINES;

	attrset(role_attr(tp, ROLE_COLHDR));
	mvhline(y, 0, ' ', COLS);
	attrset(A_NORMAL);
	put(tp, y++, 0, -1, role_attr(tp, ROLE_COLHDR), "KEYS");
	for (size_t i = 0; help_text[i] && y < LINES - 1; i++)
		put(tp, y++, 1, -1, A_NORMAL, help_text[i]);
	put(tp, LINES - 1, 0, -1, A_NORMAL, "Esc, h or ? to go back");
}

/* One whole frame; redrawing everything keeps resizes free of garbage
 * (curses sends only what changed). */
static void draw(struct top *tp)
{
	const struct table *t = tp->sh.front;

	erase();
	curs_set(0);
	if (LINES < TOP_HEAD_LINES + 3 || COLS < 30) {
		put(tp, 0, 0, -1, A_NORMAL, "portstat top: terminal too small");
		refresh();
		return;
	}
	draw_header(tp, t);
	if (tp->ui.screen == TOP_SCREEN_DETAIL)
		draw_detail(tp);
	else if (tp->ui.screen == TOP_SCREEN_HELP)
		draw_help(tp);
	else
		draw_list(tp, t);
	draw_status(tp);
	refresh();
}

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

/* Returns true when the UI should quit. */
static bool read_keys(struct top *tp)
{
	int ch;

	while ((ch = getch()) != ERR) {
		int key = key_map(ch);
		unsigned act;

		if (ch == KEY_RESIZE || key < 0)
			continue;	/* the frame is redrawn anyway */
		if (tp->ui.screen == TOP_SCREEN_LIST && !tp->ui.editing)
			rows_settle(tp);
		act = top_ui_key(&tp->ui, key);
		if (act & TOP_ACT_QUIT)
			return true;
		key_effects(tp, act);
	}
	return false;
}

/* Take in a new sample (mu held): history and rates follow it. */
static void consume(struct top *tp)
{
	struct top_shared *sh = &tp->sh;
	double dt = 0;

	if (!sh->fresh)
		return;
	sh->fresh = false;
	if (top_hist_samples(tp->hist))
		dt = (double)(sh->info.time.tv_sec - tp->last_time.tv_sec) +
		     (double)(sh->info.time.tv_nsec - tp->last_time.tv_nsec) / 1e9;
	tp->last_time = sh->info.time;
	/* Out of memory leaves some rows without history; they still show. */
	top_hist_update(tp->hist, sh->nsfront.ns, sh->nsfront.n, dt);
}

/* Whether the terminal is gone: hung up (its window closed, the ssh
 * session dropped) or in error.  ncurses drops failed writes silently, so
 * this is how a dashboard learns its output no longer reaches anyone; a
 * hung-up tty reports POLLHUP on every descriptor open on it. */
static bool term_gone(void)
{
	struct pollfd p[2] = { { .fd = STDIN_FILENO }, { .fd = STDOUT_FILENO } };

	if (poll(p, 2, 0) <= 0)
		return false;
	return ((p[0].revents | p[1].revents) & (POLLHUP | POLLERR | POLLNVAL)) != 0;
}

/*
 * The dashboard's loop.  Returns 0 when it ends as asked (q, a stop
 * signal, -c samples), -EIO when the terminal went away (also when the
 * SIGHUP of a hangup is what stopped it: the output policy makes lost
 * output a failure, while `kill -HUP` on a live terminal is a quit), or
 * another -errno.
 */
static int ui_loop(struct top *tp, const sigset_t *waitmask)
{
	struct top_shared *sh = &tp->sh;
	struct pollfd fds[2] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = sh->efd, .events = POLLIN },
	};

	for (;;) {
		bool quit, done;

		pthread_mutex_lock(&sh->mu);
		consume(tp);
		quit = read_keys(tp);
		if (!quit)
			draw(tp);
		done = tp->cfg->count && sh->produced >= tp->cfg->count;
		pthread_mutex_unlock(&sh->mu);
		if (quit || done || top_stop)
			return term_gone() ? -EIO : 0;

		/* Signals are blocked except inside ppoll(): one that comes
		 * while drawing interrupts the next wait instead of being
		 * lost.  SIGWINCH likewise, so KEY_RESIZE is read at once. */
		if (ppoll(fds, 2, NULL, waitmask) < 0) {
			if (errno != EINTR)
				return -errno;
			continue;
		}
		if (fds[1].revents & POLLIN) {
			uint64_t v;

			if (read(sh->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
				return -errno;
		}
		if (fds[0].revents & (POLLHUP | POLLERR))
			return -EIO;	/* the terminal went away */
	}
}

/* ---- run --------------------------------------------------------------- */

static int top_open(struct top *tp, char *err, size_t errlen)
{
	const struct config *cfg = tp->cfg;
	int ret = 0;

	/* --all-netns opens a collector per namespace and sample (allns.c). */
	if (cfg->replay)
		ret = collector_open_replay(&tp->c, cfg->replay, err, errlen);
	else if (!cfg->all_netns)
		ret = collector_open_live(&tp->c, cfg->netns, err, errlen);
	if (ret < 0)
		return ret;
	/* The report's parallel split, sized the same way (PORTSTAT_SPLIT,
	 * or usable CPUs for namespaces large enough to pay). */
	if (!cfg->replay && !cfg->all_netns) {
		unsigned shares;
		unsigned long min_sockets;

		ret = split_env(&shares, &min_sockets, err, errlen);
		if (ret == 0 && shares != 1)
			ret = split_new(&tp->sp, cfg->netns, &cfg->filter, shares, min_sockets,
					err, errlen);
		if (ret < 0)
			return ret;
	}
	tp->back = table_new(&cfg->filter);
	tp->sh.front = table_new(&cfg->filter);
	tp->dback = top_detail_new();
	tp->sh.dfront = top_detail_new();
	tp->hist = top_hist_new();
	/* Entry 0, the whole sample, is there from the start. */
	tp->nsback.ns = calloc(1, sizeof(*tp->nsback.ns));
	tp->sh.nsfront.ns = calloc(1, sizeof(*tp->sh.nsfront.ns));
	tp->nsback.cap = tp->sh.nsfront.cap = 1;
	if (!tp->back || !tp->sh.front || !tp->dback || !tp->sh.dfront || !tp->hist ||
	    !tp->nsback.ns || !tp->sh.nsfront.ns) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	tp->sh.efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (tp->sh.efd < 0) {
		ret = -errno;
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		return ret;
	}
	return 0;
}

static void nsset_done(struct top_nsset *set)
{
	allns_free(set->r, set->nr);
	free(set->ns);
}

static int sync_init(struct top *tp, char *err, size_t errlen)
{
	pthread_condattr_t ca;
	int ret;

	ret = pthread_mutex_init(&tp->sh.mu, NULL);
	if (ret) {
		snprintf(err, errlen, "pthread_mutex_init: %s", strerror(ret));
		return -ret;
	}
	tp->mutex_ok = true;
	pthread_condattr_init(&ca);
	/* Sample starts are paced on the monotonic clock. */
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	ret = pthread_cond_init(&tp->sh.cv, &ca);
	pthread_condattr_destroy(&ca);
	if (ret) {
		snprintf(err, errlen, "pthread_cond_init: %s", strerror(ret));
		return -ret;
	}
	tp->cond_ok = true;
	return 0;
}

/* The sampler thread blocks every signal, so they all reach the UI thread
 * (SIGWINCH must interrupt its ppoll). */
static int thread_start(struct top *tp, char *err, size_t errlen)
{
	sigset_t all, old;
	int ret;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&tp->tid, NULL, sampler_main, tp);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		snprintf(err, errlen, "pthread_create: %s", strerror(ret));
		return -ret;
	}
	tp->thread_ok = true;
	return 0;
}

static void thread_stop(struct top *tp)
{
	if (!tp->thread_ok)
		return;
	pthread_mutex_lock(&tp->sh.mu);
	tp->sh.quit = true;
	pthread_cond_signal(&tp->sh.cv);
	pthread_mutex_unlock(&tp->sh.mu);
	/* A sample in progress finishes first; the terminal is already
	 * restored by then. */
	pthread_join(tp->tid, NULL);
	tp->thread_ok = false;
}

int top_run(const struct config *cfg)
{
	struct top *tp = calloc(1, sizeof(*tp));
	struct sigaction sa, old_int, old_term, old_hup;
	sigset_t block, old_mask;
	char err[512] = "";
	int status = CLI_EXIT_FAILURE, ret;

	if (!tp) {
		strenc_text_line(stderr, "portstat: out of memory");
		return CLI_EXIT_FAILURE;
	}
	tp->cfg = cfg;
	tp->sh.efd = -1;
	top_ui_init(&tp->ui, &cfg->sort, cfg->filter.states, cfg->interval, cfg->all_netns);
	tp->sh.interval = cfg->interval;

	/* Signals first: from here on every exit path restores the terminal. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGWINCH);
	pthread_sigmask(SIG_BLOCK, &block, &old_mask);

	setlocale(LC_ALL, "");
	tp->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	if (gethostname(tp->host, sizeof(tp->host) - 1) < 0)
		snprintf(tp->host, sizeof(tp->host), "?");

	if (term_check(err, sizeof(err)) < 0 || top_open(tp, err, sizeof(err)) < 0 ||
	    sync_init(tp, err, sizeof(err)) < 0 || curses_init(tp, err, sizeof(err)) < 0 ||
	    thread_start(tp, err, sizeof(err)) < 0)
		goto out;

	ret = ui_loop(tp, &old_mask);
	if (ret < 0) {
		snprintf(err, sizeof(err), "terminal: %s", strerror(-ret));
		goto out;
	}
	status = CLI_EXIT_OK;
out:
	curses_done(tp);
	thread_stop(tp);
	/* A replay that failed, or held nothing, fails as the report's does
	 * (the sampler has stopped: sh is ours alone now). */
	if (status == CLI_EXIT_OK && cfg->replay && tp->sh.err) {
		snprintf(err, sizeof(err), "%s", tp->sh.errmsg);
		status = CLI_EXIT_FAILURE;
	} else if (status == CLI_EXIT_OK && cfg->replay && tp->sh.ended && !tp->sh.produced) {
		snprintf(err, sizeof(err), "replay file '%s' holds no samples", cfg->replay);
		status = CLI_EXIT_FAILURE;
	}
	if (status != CLI_EXIT_OK)
		strenc_text_line(stderr, "portstat: %s", err);
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	if (tp->cond_ok)
		pthread_cond_destroy(&tp->sh.cv);
	if (tp->mutex_ok)
		pthread_mutex_destroy(&tp->sh.mu);
	if (tp->sh.efd >= 0)
		close(tp->sh.efd);
	free(tp->rows);
	nsset_done(&tp->nsback);
	nsset_done(&tp->sh.nsfront);
	top_hist_delete(tp->hist);
	top_detail_delete(tp->sh.dfront);
	top_detail_delete(tp->dback);
	table_delete(tp->sh.front);
	table_delete(tp->back);
	split_delete(tp->sp);
	collector_close(tp->c);
	free(tp);
	return status;
}
