/*
 * top_model: the dashboard's decisions without a terminal.  History is kept
 * htop style: every sample marks all rows unseen, refreshes the rows the
 * sample holds and sweeps the rest, so memory follows the rows on screen
 * and a port (or namespace) that goes away takes its history with it.
 * Key handling edits a struct top_ui and reports what the engine must do
 * (quit, pause, ...).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strenc.h"
#include "top_model.h"
#include "u64map.h"
#include "view.h"

struct top_hist {
	struct u64map *index;		/* hist_key() -> row + 1 */
	struct top_hist_row *rows;
	size_t nrows, cap;
	unsigned long samples;
	double dt;			/* seconds since the previous sample */
	bool has_prev;			/* prev_n is the previous sample's */
	uint64_t n[TCP_STATE_MAX + 1], prev_n[TCP_STATE_MAX + 1];
};

static uint64_t hist_key(uint32_t ns, uint16_t port, uint8_t dir)
{
	return (uint64_t)ns << 17 | (uint64_t)(dir & 1) << 16 | port;
}

struct top_hist *top_hist_new(void)
{
	struct top_hist *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->index = u64map_new(256);
	if (!h->index) {
		free(h);
		return NULL;
	}
	return h;
}

void top_hist_delete(struct top_hist *h)
{
	if (!h)
		return;
	u64map_delete(h->index);
	free(h->rows);
	free(h);
}

/* The index of the row of (@ns, @port, @dir), created empty (*fresh) when
 * new; SIZE_MAX when out of memory. */
static size_t hist_get(struct top_hist *h, uint32_t ns, uint16_t port, uint8_t dir,
		       bool *fresh)
{
	uint64_t idx;
	struct top_hist_row *r;
	uint64_t *slot;

	*fresh = !u64map_get(h->index, hist_key(ns, port, dir), &idx);
	if (!*fresh)
		return (size_t)idx - 1;
	if (h->nrows == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;
		struct top_hist_row *nr = realloc(h->rows, cap * sizeof(*nr));

		if (!nr)
			return SIZE_MAX;
		h->rows = nr;
		h->cap = cap;
	}
	slot = u64map_slot(h->index, hist_key(ns, port, dir), NULL);
	if (!slot)
		return SIZE_MAX;
	r = &h->rows[h->nrows++];
	memset(r, 0, sizeof(*r));
	r->ns = ns;
	r->port = port;
	r->dir = dir;
	/* A row that appears between two samples grew from nothing: its
	 * rate is its count, not unknown. */
	r->has_prev = h->samples > 0;
	*slot = h->nrows;
	return h->nrows - 1;
}

static void hist_push(struct top_hist_row *r)
{
	r->h_cw[r->head] = r->n[TCP_STATE_CLOSE_WAIT];
	r->h_total[r->head] = r->total > UINT32_MAX ? UINT32_MAX : (uint32_t)r->total;
	r->head = (r->head + 1) % TOP_HIST_LEN;
	if (r->len < TOP_HIST_LEN)
		r->len++;
}

/* Refresh the rows of one namespace's table. */
static int hist_take(struct top_hist *h, const struct top_ns *ns)
{
	size_t nt = table_nrows(ns->table);
	int ret = 0;

	for (size_t i = 0; i < nt; i++) {
		const struct table_row *tr = table_row(ns->table, i);
		bool fresh;
		size_t k = hist_get(h, ns->id, tr->port, tr->dir, &fresh);
		struct top_hist_row *r;

		if (k == SIZE_MAX) {
			ret = -ENOMEM;
			continue;
		}
		r = &h->rows[k];
		if (!fresh) {
			memcpy(r->prev, r->n, sizeof(r->prev));
			r->prev_total = r->total;
			r->has_prev = true;
		}
		memcpy(r->n, tr->n, sizeof(r->n));
		r->total = tr->total;
		r->seen = true;
		hist_push(r);
	}
	return ret;
}

int top_hist_update(struct top_hist *h, const struct top_ns *ns, size_t n, double dt)
{
	size_t keep = 0;
	int ret = 0;

	for (size_t i = 0; i < h->nrows; i++)
		h->rows[i].seen = false;
	for (size_t i = 0; i < n; i++)
		if (hist_take(h, &ns[i]) < 0)
			ret = -ENOMEM;
	/* Sweep: compact the rows that were seen and index them afresh (no
	 * more keys than before, so the map does not grow). */
	u64map_clear(h->index);
	for (size_t i = 0; i < h->nrows; i++) {
		struct top_hist_row *r = &h->rows[i];
		uint64_t *slot;

		if (!r->seen)
			continue;
		slot = u64map_slot(h->index, hist_key(r->ns, r->port, r->dir), NULL);
		if (!slot) {
			ret = -ENOMEM;
			continue;
		}
		if (keep != i)
			h->rows[keep] = *r;
		*slot = ++keep;
	}
	h->nrows = keep;

	memcpy(h->prev_n, h->n, sizeof(h->prev_n));
	for (int s = 0; s <= TCP_STATE_MAX; s++)
		h->n[s] = n ? table_state_total(ns[0].table, (enum tcp_state)s) : 0;
	h->has_prev = h->samples > 0;
	h->dt = dt;
	h->samples++;
	return ret;
}

const struct top_hist_row *top_hist_find(const struct top_hist *h, uint32_t ns,
					 uint16_t port, uint8_t dir)
{
	uint64_t i;

	return u64map_get(h->index, hist_key(ns, port, dir), &i) ? &h->rows[i - 1] : NULL;
}

unsigned long top_hist_samples(const struct top_hist *h)
{
	return h->samples;
}

bool top_hist_rate(const struct top_hist *h, const struct top_hist_row *r,
		   const struct table_sort *sort, double *rate)
{
	double cur, prev;

	if (!r->has_prev || h->dt <= 0)
		return false;
	if (sort->key == TABLE_SORT_STATE) {
		cur = r->n[sort->state];
		prev = r->prev[sort->state];
	} else {
		cur = (double)r->total;
		prev = (double)r->prev_total;
	}
	*rate = (cur - prev) / h->dt;
	return true;
}

bool top_hist_state_rate(const struct top_hist *h, enum tcp_state s, double *rate)
{
	if (!h->has_prev || h->dt <= 0 || s < 1 || s > TCP_STATE_MAX)
		return false;
	*rate = ((double)h->n[s] - (double)h->prev_n[s]) / h->dt;
	return true;
}

size_t top_hist_series(const struct top_hist_row *r, uint32_t *out, bool *is_cw)
{
	const uint32_t *src;
	unsigned start = (r->head + TOP_HIST_LEN - r->len) % TOP_HIST_LEN;

	*is_cw = r->n[TCP_STATE_CLOSE_WAIT] > 0;
	src = *is_cw ? r->h_cw : r->h_total;
	for (unsigned i = 0; i < r->len; i++)
		out[i] = src[(start + i) % TOP_HIST_LEN];
	return r->len;
}

/* ---- sparkline --------------------------------------------------------- */

int top_spark_level(uint32_t v, uint32_t max)
{
	if (v == 0 || max == 0)
		return 0;
	if (v >= max)
		return 8;
	/* ceil(8 v / max): the smallest non-zero value still shows. */
	return (int)(((uint64_t)v * 8 + max - 1) / max);
}

int top_spark_render(const uint32_t *v, size_t n, int width, bool utf8,
		     char *out, size_t outlen)
{
	static const char *const glyphs[9] = {
		" ", "\u2581", "\u2582", "\u2583", "\u2584",
		"\u2585", "\u2586", "\u2587", "\u2588",
	};
	static const char ascii[] = " .,:-=+*#";
	size_t first = n > (size_t)width ? n - (size_t)width : 0, pos = 0;
	uint32_t max = 0;

	if (width < 0 || outlen < (size_t)width * 3 + 1) {
		if (outlen)
			out[0] = '\0';
		return 0;
	}
	for (size_t i = first; i < n; i++)
		if (v[i] > max)
			max = v[i];
	for (int col = 0; col < width; col++) {
		/* Right-aligned: the newest sample is always the last cell. */
		size_t blank = (size_t)width - (n - first);
		int lvl = (size_t)col < blank ? 0 : top_spark_level(v[first + col - blank], max);

		if (utf8) {
			size_t len = strlen(glyphs[lvl]);

			memcpy(out + pos, glyphs[lvl], len);
			pos += len;
		} else {
			out[pos++] = ascii[lvl];
		}
	}
	out[pos] = '\0';
	return width;
}

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

unsigned top_ui_key(struct top_ui *ui, int key)
{
	if (ui->editing)
		return edit_key(ui, key);
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
