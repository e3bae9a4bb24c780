/* SPDX-License-Identifier: MIT */
/*
 * top_draw_detail: the dashboard's detail screen (a row's sockets by
 * state, owners, queues and peers, from top_detail.c's summary) and its
 * help screen.
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
#include <arpa/inet.h>
#include <sys/socket.h>

#include "strenc.h"

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
		top_putf(tp, y++, 0, top_role_attr(tp, ROLE_ERROR), "processes: unknown: %s",
		     o->err == -ENOMEM ? "out of memory" : strerror(-o->err));
		return y;
	}
	top_putf(tp, y++, 0, A_NORMAL, "processes: %zu, holding %" PRIu64 " of %" PRIu64 " sockets",
	     o->nprocs, o->owned, ds->sockets);
	if (!o->nprocs && !o->unowned && !o->no_inode)
		return y;
	attrset(top_role_attr(tp, ROLE_COLHDR));
	mvhline(y, 0, ' ', COLS);
	attrset(A_NORMAL);
	top_putf(tp, y++, 0, top_role_attr(tp, ROLE_COLHDR), "%7s  %-15s %8s  %s", "PID", "COMM", "SOCKETS",
	     "CGROUP");
	for (size_t i = 0; i < o->ntop && y < LINES - 1; i++, y++) {
		char comm[64];

		top_text_cell(tp, comm, sizeof(comm), o->top[i].comm, 15);
		top_putf(tp, y, 0, A_NORMAL, "%7d  %s %8" PRIu32 "  %s", o->top[i].pid, comm,
		     o->top[i].sockets, o->top[i].cgroup);
		shown += o->top[i].sockets;
	}
	if (o->nprocs > o->ntop && y < LINES - 1) {
		char more[32];

		snprintf(more, sizeof(more), "(%zu more)", o->nprocs - o->ntop);
		top_putf(tp, y++, 0, A_NORMAL, "%7s  %-15s %8" PRIu64, "", more, o->owned - shown);
	}
	if (o->unowned && y < LINES - 1)
		top_putf(tp, y++, 0, top_role_attr(tp, ROLE_WARN), "%7s  %-15s %8" PRIu64, "?", "?", o->unowned);
	if (o->no_inode && y < LINES - 1)
		top_putf(tp, y++, 0, A_NORMAL, "%7s  %-15s %8" PRIu64, "-", "(no process)", o->no_inode);
	/* Why "?": as procmap saw it.  Counts stay exact either way. */
	if (o->unowned && o->denied && y < LINES - 1)
		top_putf(tp, y++, 0, top_role_attr(tp, ROLE_WARN), "?: %lu process%s of other users "
		     "cannot be inspected without root (CAP_SYS_PTRACE)",
		     o->denied, o->denied == 1 ? "" : "es");
	else if (o->unowned && y < LINES - 1)
		top_putf(tp, y++, 0, top_role_attr(tp, ROLE_WARN), "?: held by no process found "
		     "(closed since the dump, or kernel sockets)");
	return y;
}

void top_draw_detail(struct top *tp)
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

	attrset(top_role_attr(tp, ROLE_COLHDR));
	mvhline(y, 0, ' ', COLS);
	attrset(A_NORMAL);
	if (ui->detail_label[0])
		top_putf(tp, y++, 0, top_role_attr(tp, ROLE_COLHDR), "NETNS %s PORT %u %s: detail",
		     ui->detail_label, ui->detail_port,
		     ui->detail_dir == TABLE_DIR_IN ? "in" : "out");
	else
		top_putf(tp, y++, 0, top_role_attr(tp, ROLE_COLHDR), "PORT %u %s: detail%s",
		     ui->detail_port, ui->detail_dir == TABLE_DIR_IN ? "in" : "out",
		     ui->all_netns ? " (all namespaces)" : "");
	x = top_put(tp, y, 0, -1, A_NORMAL, "sockets by state:");
	if (!r) {
		top_put(tp, y, x + 1, -1, top_role_attr(tp, ROLE_WARN), "none in this sample");
	} else {
		for (int i = 0; i < TCP_STATE_COUNT; i++) {
			enum tcp_state st = tcp_state_order[i];

			if (r->n[st])
				x += top_putf(tp, y, x, A_NORMAL, "  %s %" PRIu32, tcp_state_label(st),
					  r->n[st]);
		}
		top_putf(tp, y, x, top_role_attr(tp, ROLE_TITLE), "  TOTAL %" PRIu64, r->total);
	}
	y += 2;
	if (tp->cfg->replay) {
		top_putf(tp, y++, 0, A_NORMAL, "processes, peers and queues: not in a replay "
		     "(they need a live dump)");
		top_draw_footer(tp, keys);
		return;
	}
	if (ui->all_netns && !ui->detail_ns) {
		top_putf(tp, y++, 0, A_NORMAL, "processes, peers and queues: per namespace only "
		     "(Esc, n to split rows by namespace, Enter on one)");
		top_draw_footer(tp, keys);
		return;
	}
	if (!have && tp->sh.dnote[0] && tp->sh.dfront_ns == ui->detail_ns) {
		top_putf(tp, y++, 0, top_role_attr(tp, ROLE_ERROR), "processes, peers and queues: %s",
		     tp->sh.dnote);
		top_draw_footer(tp, keys);
		return;
	}
	if (!have) {
		top_putf(tp, y++, 0, top_role_attr(tp, ROLE_WARN), "processes, peers and queues: %s",
		     ui->paused ? "paused; they come with the next sample" :
				  "collecting with the next sample...");
		top_draw_footer(tp, keys);
		return;
	}
	top_putf(tp, y++, 0, A_NORMAL, "queues: Recv-Q %" PRIu64 " unread  Send-Q %" PRIu64
	     " (connected sockets)  accept queue %" PRIu64 " (listeners)",
	     ds->rqueue, ds->wqueue, ds->accept_queue);
	if (!ds->complete)
		top_putf(tp, y++, 0, top_role_attr(tp, ROLE_ERROR), "incomplete: %s", ds->note);
	y = draw_owners(tp, ds, y);
	y++;
	top_putf(tp, y++, 0, A_NORMAL, "peers: %zu%s", ds->npeers,
	     ds->overflow ? " (more not counted)" : "");
	y++;
	attrset(top_role_attr(tp, ROLE_COLHDR));
	mvhline(y, 0, ' ', COLS);
	attrset(A_NORMAL);
	top_putf(tp, y++, 0, top_role_attr(tp, ROLE_COLHDR), "%-39s %7s  %s", "PEER", "TOTAL", "BY STATE");

	const struct top_peer *peers[TOP_DETAIL_ROWS];
	size_t np = top_detail_peers(tp->sh.dfront, peers, TOP_DETAIL_ROWS);

	for (size_t i = 0; i < np && y < LINES - 1; i++, y++) {
		char addr[INET6_ADDRSTRLEN];

		fmt_addr(peers[i], addr, sizeof(addr));
		x = top_putf(tp, y, 0, A_NORMAL, "%-39s %7" PRIu64 " ", addr, peers[i]->total);
		for (int k = 0; k < TCP_STATE_COUNT; k++) {
			enum tcp_state st = tcp_state_order[k];

			if (peers[i]->n[st])
				x += top_putf(tp, y, x, A_NORMAL, " %s %" PRIu32, tcp_state_label(st),
					  peers[i]->n[st]);
		}
	}
	if (ds->overflow && y < LINES - 1)
		top_putf(tp, y, 0, A_NORMAL, "%-39s %7" PRIu64, "(other peers)", ds->overflow);
	top_draw_footer(tp, keys);
}

void top_draw_help(struct top *tp)
{
	static const char *const help_text[] = {
		"q, F10              quit",
		"Up/Down, j/k        move the selection",
		"PgUp/PgDn, Home/End move by a page, to the first or last row",
		"Enter               detail of the selected port (processes, peers, queues)",
		"Esc, Backspace      back to the list",
		"s or >, <           next / previous sort column (those on screen)",
		"r                   reverse the order",
		"c                   the state the rate column measures (then the total)",
		"/                   filter ports as --port: 80,443,8000-8100 (ports, ranges);",
		"                    Enter applies, Enter on an empty prompt clears, Esc keeps",
		"                    the filter in force (shown as the prompt's hint)",
		"d                   direction: both, in, out",
		"D                   the doctor's findings, worst first (Esc, q or D: back;",
		"                    Up/Down, PgUp/PgDn scroll)",
		"n                   namespaces (--all-netns): a row per namespace, or merged",
		"p, space            pause / resume sampling",
		"+, -                longer / shorter interval",
		"h, ?                this help (again: back)",
		"mouse               click a column header to sort by it (again: reverse),",
		"                    a row to select it, twice to open it (--no-mouse: off)",
		"",
		"The sort column's header has an arrow, down: largest first.  The rate column",
		"(STATE/s) is that state's change per second since the last sample (c: which).",
		"+N cols: columns that did not fit; the row's counts then do not add up to",
		"TOTAL.  HISTORY is close_wait where the row has any, else the total.",
		"sample #N on the status line counts the samples taken.  doctor: on the",
		"status line, the findings of 'portstat doctor' on each sample (default",
		"thresholds) and the worst of them.",
		NULL,
	};
	int y = TOP_HEAD_LINES;

	attrset(top_role_attr(tp, ROLE_COLHDR));
	mvhline(y, 0, ' ', COLS);
	attrset(A_NORMAL);
	top_put(tp, y++, 0, -1, top_role_attr(tp, ROLE_COLHDR), "KEYS");
	for (size_t i = 0; help_text[i] && y < LINES - 1; i++)
		top_put(tp, y++, 1, -1, A_NORMAL, help_text[i]);
	top_put(tp, LINES - 1, 0, -1, A_NORMAL, "Esc, h or ? to go back");
}
