/* SPDX-License-Identifier: MIT */
/*
 * check_leaks: the leaks model fed synthesized sock_recs: grouping by
 * port, direction and state, filters, unread bytes, peers (v4-mapped
 * folded into IPv4, top list order), owners through a fake /proc (known,
 * unknown, orphaned), one-shot and tracked ages, growth over the window,
 * partial samples; the statuses at each threshold; duration parsing; the
 * verdict line, age format, JSON; and the 'leaks' command line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "cli.h"
#include "diag.h"
#include "leaks.h"
#include "view_leaks.h"
#include "view_leaks_owners.h"

#define B(s)	TCP_STATE_BIT(TCP_STATE_##s)

static struct sock_rec mkrec(int family, int state, uint16_t sport, uint16_t dport,
			     const char *peer, uint32_t inode, uint64_t cookie)
{
	struct sock_rec r;

	memset(&r, 0, sizeof(r));
	r.family = (uint8_t)family;
	r.state = (uint8_t)state;
	r.sport = sport;
	r.dport = dport;
	if (peer)
		ck_assert_int_eq(inet_pton(family, peer, r.daddr), 1);
	r.inode = inode;
	r.cookie = cookie;
	return r;
}

static struct leaks *model(uint32_t states, bool track, const char *proc_root)
{
	struct leaks_opts o = {
		.filter = { .by = TABLE_BY_SERVICE, .states = states, .ipv4 = true, .ipv6 = true },
		.owners = proc_root != NULL,
		.proc_root = proc_root,
		.track = track,
	};
	struct leaks *l;

	ck_assert_int_eq(leaks_new(&l, &o), 0);
	return l;
}

static void begin_at(struct leaks *l, long sec)
{
	struct timespec t = { .tv_sec = sec };

	leaks_begin(l, &t);
}

static void add(struct leaks *l, struct sock_rec r)
{
	ck_assert_int_eq(leaks_add(&r, l), 0);
}

static void listener(struct leaks *l, int family, uint16_t port)
{
	add(l, mkrec(family, TCP_STATE_LISTEN, port, 0, NULL, 1, 1));
}

/* A server that closed its listener: its CLOSE_WAIT sockets still group
 * under its port, inbound, as the report counts them (table_classify()). */
START_TEST(test_closed_listener)
{
	struct leaks *l = model(B(CLOSE_WAIT), false, NULL);
	const struct leaks_group *g;

	begin_at(l, 1000);
	for (uint16_t i = 0; i < 5; i++) {
		add(l, mkrec(AF_INET, TCP_STATE_CLOSE_WAIT, 8443, (uint16_t)(40001 + i),
			     "127.0.0.1", 20u + i, 200u + i));
		add(l, mkrec(AF_INET6, TCP_STATE_CLOSE_WAIT, 8443, (uint16_t)(50001 + i),
			     "::1", 30u + i, 300u + i));
	}
	/* Our own client's leak stays outbound, under the peer's port. */
	add(l, mkrec(AF_INET, TCP_STATE_CLOSE_WAIT, 40100, 5432, "10.0.0.9", 40, 400));
	ck_assert_int_eq(leaks_end(l, true), 0);

	ck_assert_uint_eq(leaks_ngroups(l), 2);
	g = leaks_group(l, 0);
	ck_assert_uint_eq(g->port, 8443);
	ck_assert_uint_eq(g->dir, TABLE_DIR_IN);
	ck_assert_uint_eq(g->count, 10);
	g = leaks_group(l, 1);
	ck_assert_uint_eq(g->port, 5432);
	ck_assert_uint_eq(g->dir, TABLE_DIR_OUT);
	ck_assert_uint_eq(g->count, 1);
	leaks_delete(l);
}
END_TEST

START_TEST(test_groups)
{
	struct leaks *l = model(B(CLOSE_WAIT), false, NULL);
	const struct leaks_group *g;
	struct sock_rec r;

	begin_at(l, 1000);
	listener(l, AF_INET, 8080);
	/* A dual-stack IPv6 listener makes the v4-mapped socket inbound. */
	listener(l, AF_INET6, 8080);
	r = mkrec(AF_INET, TCP_STATE_CLOSE_WAIT, 8080, 40001, "10.0.0.7", 11, 101);
	r.rqueue = 101;		/* 100 bytes and the FIN */
	add(l, r);
	r = mkrec(AF_INET, TCP_STATE_CLOSE_WAIT, 8080, 40002, "10.0.0.8", 12, 102);
	r.rqueue = 1;		/* just the FIN */
	add(l, r);
	/* IPv4 through a v4-mapped address is the same peer. */
	add(l, mkrec(AF_INET6, TCP_STATE_CLOSE_WAIT, 8080, 40003, "::ffff:10.0.0.7", 13, 103));
	add(l, mkrec(AF_INET, TCP_STATE_CLOSE_WAIT, 40004, 5432, "10.0.0.9", 14, 104));
	add(l, mkrec(AF_INET6, TCP_STATE_CLOSE_WAIT, 40005, 5432, "fd00::9", 15, 105));
	add(l, mkrec(AF_INET, TCP_STATE_ESTABLISHED, 8080, 40006, "10.0.0.7", 16, 106));
	add(l, mkrec(AF_INET, TCP_STATE_LAST_ACK, 8080, 40007, "10.0.0.7", 17, 107));
	ck_assert_int_eq(leaks_end(l, true), 0);

	ck_assert_uint_eq(leaks_summary(l)->sockets, 5);
	ck_assert_uint_eq(leaks_ngroups(l), 2);
	g = leaks_group(l, 0);
	ck_assert_uint_eq(g->port, 8080);
	ck_assert_uint_eq(g->dir, TABLE_DIR_IN);
	ck_assert_uint_eq(g->state, TCP_STATE_CLOSE_WAIT);
	ck_assert_uint_eq(g->count, 3);
	ck_assert_uint_eq(g->recv_q, 100);
	ck_assert(!g->has_age);
	ck_assert(!g->has_growth);
	ck_assert_uint_eq(g->npeers, 2);
	ck_assert_uint_eq(g->ntop, 2);
	ck_assert_uint_eq(g->peers[0].family, AF_INET);
	ck_assert_mem_eq(g->peers[0].addr, "\x0a\x00\x00\x07", 4);
	ck_assert_uint_eq(g->peers[0].count, 2);
	ck_assert_mem_eq(g->peers[1].addr, "\x0a\x00\x00\x08", 4);
	ck_assert_uint_eq(g->peers[1].count, 1);
	/* No owners asked: every socket is "?". */
	ck_assert_uint_eq(g->nprocs, 1);
	ck_assert_int_eq(g->procs[0].pid, 0);
	ck_assert_str_eq(g->procs[0].comm, "?");
	ck_assert_uint_eq(g->procs[0].count, 3);

	g = leaks_group(l, 1);
	ck_assert_uint_eq(g->port, 5432);
	ck_assert_uint_eq(g->dir, TABLE_DIR_OUT);
	ck_assert_uint_eq(g->count, 2);
	ck_assert_uint_eq(g->npeers, 2);
	ck_assert_uint_eq(g->peers[0].family, AF_INET);		/* IPv4 first on a tie */
	ck_assert_uint_eq(g->peers[1].family, AF_INET6);
	leaks_delete(l);
}
END_TEST

/* More peers than kept: the top ones by count, the rest counted. */
START_TEST(test_top_peers)
{
	struct leaks *l = model(B(CLOSE_WAIT), false, NULL);
	const struct leaks_group *g;
	uint32_t ino = 100;

	begin_at(l, 1);
	listener(l, AF_INET, 80);
	for (int p = 1; p <= 8; p++) {
		char a[32];

		snprintf(a, sizeof(a), "192.0.2.%d", p);
		for (int k = 0; k < p; k++)
			add(l, mkrec(AF_INET, TCP_STATE_CLOSE_WAIT, 80, (uint16_t)(1000 + ino), a, ino, ino)), ino++;
	}
	ck_assert_int_eq(leaks_end(l, true), 0);
	g = leaks_group(l, 0);
	ck_assert_uint_eq(g->count, 36);
	ck_assert_uint_eq(g->npeers, 8);
	ck_assert_uint_eq(g->ntop, LEAKS_TOP_PEERS);
	for (size_t i = 0; i < g->ntop; i++) {
		ck_assert_uint_eq(g->peers[i].count, 8 - i);
		ck_assert_uint_eq(g->peers[i].addr[3], 8 - i);
	}
	leaks_delete(l);
}
END_TEST

/* Equal counts rank by address, IPv4 first: IPv6 peers are ranked by
 * their bytes, not by the order they came in. */
START_TEST(test_peer_ties)
{
	static const char *const v6[] = { "fd00::9", "fd00::7", "2001:db8::1", "fd00::8" };
	struct leaks *l = model(B(CLOSE_WAIT), false, NULL);
	const struct leaks_group *g;
	uint8_t a[16];
	uint32_t ino = 1;

	begin_at(l, 1);
	listener(l, AF_INET, 80);
	listener(l, AF_INET6, 80);
	for (size_t i = 0; i < 4; i++) {
		add(l, mkrec(AF_INET6, TCP_STATE_CLOSE_WAIT, 80, 1000, v6[i], ino, ino)), ino++;
		add(l, mkrec(AF_INET6, TCP_STATE_CLOSE_WAIT, 80, 1000, v6[i], ino, ino)), ino++;
	}
	add(l, mkrec(AF_INET, TCP_STATE_CLOSE_WAIT, 80, 1000, "192.0.2.9", ino, ino)), ino++;
	add(l, mkrec(AF_INET6, TCP_STATE_CLOSE_WAIT, 80, 1000, "::ffff:192.0.2.9", ino, ino)), ino++;
	add(l, mkrec(AF_INET, TCP_STATE_CLOSE_WAIT, 80, 1000, "192.0.2.200", ino, ino)), ino++;
	add(l, mkrec(AF_INET, TCP_STATE_CLOSE_WAIT, 80, 1000, "192.0.2.10", ino, ino)), ino++;
	add(l, mkrec(AF_INET, TCP_STATE_CLOSE_WAIT, 80, 1000, "192.0.2.10", ino, ino)), ino++;
	ck_assert_int_eq(leaks_end(l, true), 0);
	g = leaks_group(l, 0);
	ck_assert_uint_eq(g->count, 13);
	ck_assert_uint_eq(g->npeers, 7);
	ck_assert_uint_eq(g->ntop, LEAKS_TOP_PEERS);
	/* 2 each: 192.0.2.9 (one of them v4-mapped), 192.0.2.10, then the
	 * IPv6 ones by address; 192.0.2.200 (1) and fd00::9 are left out. */
	ck_assert_uint_eq(g->peers[0].family, AF_INET);
	ck_assert_mem_eq(g->peers[0].addr, "\xc0\x00\x02\x09", 4);
	ck_assert_mem_eq(g->peers[1].addr, "\xc0\x00\x02\x0a", 4);
	for (size_t i = 0; i < 2; i++)
		ck_assert_uint_eq(g->peers[i].count, 2);
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8::1", a), 1);
	ck_assert_mem_eq(g->peers[2].addr, a, 16);
	ck_assert_int_eq(inet_pton(AF_INET6, "fd00::7", a), 1);
	ck_assert_mem_eq(g->peers[3].addr, a, 16);
	ck_assert_int_eq(inet_pton(AF_INET6, "fd00::8", a), 1);
	ck_assert_mem_eq(g->peers[4].addr, a, 16);
	for (size_t i = 2; i < 5; i++) {
		ck_assert_uint_eq(g->peers[i].family, AF_INET6);
		ck_assert_uint_eq(g->peers[i].count, 2);
	}
	leaks_delete(l);
}
END_TEST

static char root[64];

static void proc_tree(void)
{
	static const struct { const char *path, *link; } fds[] = {
		{ "100/fd/3", "socket:[11]" }, { "100/fd/4", "socket:[12]" },
		{ "100/fd/5", "socket:[13]" }, { "200/fd/7", "socket:[14]" },
	};
	char p[256];
	FILE *f;

	snprintf(root, sizeof(root), "/tmp/check_leaks-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	for (int pid = 100; pid <= 200; pid += 100) {
		snprintf(p, sizeof(p), "%s/%d", root, pid);
		ck_assert_int_eq(mkdir(p, 0755), 0);
		snprintf(p, sizeof(p), "%s/%d/fd", root, pid);
		ck_assert_int_eq(mkdir(p, 0755), 0);
		snprintf(p, sizeof(p), "%s/%d/comm", root, pid);
		f = fopen(p, "w");
		ck_assert_ptr_nonnull(f);
		fputs(pid == 100 ? "java\n" : "nginx\n", f);
		fclose(f);
		/* java's cgroup (v2 line among v1 ones); nginx has none */
		snprintf(p, sizeof(p), "%s/%d/cgroup", root, pid);
		f = fopen(p, "w");
		ck_assert_ptr_nonnull(f);
		fputs(pid == 100 ? "4:memory:/x\n0::/app.slice/java.service\n" : "4:memory:/y\n", f);
		fclose(f);
	}
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", root, fds[i].path);
		ck_assert_int_eq(symlink(fds[i].link, p), 0);
	}
}

static void proc_tree_done(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_owners)
{
	struct leaks *l = model(B(CLOSE_WAIT) | B(LAST_ACK), false, root);
	const struct leaks_group *g;

	begin_at(l, 1);
	listener(l, AF_INET, 8080);
	for (uint32_t ino = 11; ino <= 15; ino++)	/* 15: nobody holds it */
		add(l, mkrec(AF_INET, TCP_STATE_CLOSE_WAIT, 8080, (uint16_t)(40000 + ino),
			     "10.0.0.1", ino, ino));
	/* Orphaned: closed by its process, the kernel finishing (inode 0). */
	add(l, mkrec(AF_INET, TCP_STATE_LAST_ACK, 8080, 41000, "10.0.0.1", 0, 99));
	ck_assert_int_eq(leaks_end(l, true), 0);

	ck_assert(leaks_summary(l)->owners);
	ck_assert_uint_eq(leaks_summary(l)->unowned, 1);
	g = leaks_group(l, 0);
	ck_assert_uint_eq(g->count, 5);
	ck_assert_uint_eq(g->nprocs, 3);
	ck_assert_int_eq(g->procs[0].pid, 100);
	ck_assert_str_eq(g->procs[0].comm, "java");
	ck_assert_uint_eq(g->procs[0].count, 3);
	/* Ties: by pid, so "?" (pid 0) before nginx[200]. */
	ck_assert_int_eq(g->procs[1].pid, 0);
	ck_assert_str_eq(g->procs[1].comm, "?");
	ck_assert_uint_eq(g->procs[1].count, 1);
	ck_assert_int_eq(g->procs[2].pid, 200);
	ck_assert_str_eq(g->procs[2].comm, "nginx");
	g = leaks_group(l, 1);
	ck_assert_uint_eq(g->state, TCP_STATE_LAST_ACK);
	ck_assert_uint_eq(g->nprocs, 1);
	ck_assert_str_eq(g->procs[0].comm, "-");
	leaks_delete(l);
}
END_TEST

/* Owner rows: java holds one CLOSE_WAIT on each of three ports, nginx
 * one, an unknown owner one, and an orphaned LAST_ACK; per process java is
 * one row of 3 (over the --warn 2 no group exceeds), per cgroup the
 * rows are java's unit, nginx's none, "?" and "-". */
static struct leaks *owner_model(enum leaks_rows rows)
{
	struct leaks_opts o = {
		.filter = { .by = TABLE_BY_SERVICE, .states = B(CLOSE_WAIT) | B(LAST_ACK),
			    .ipv4 = true, .ipv6 = true },
		.owners = true, .proc_root = root, .rows = rows,
	};
	struct leaks *l;

	ck_assert_int_eq(leaks_new(&l, &o), 0);
	begin_at(l, 1);
	for (uint16_t p = 8080; p <= 8082; p++)
		listener(l, AF_INET, p);
	add(l, mkrec(AF_INET, TCP_STATE_CLOSE_WAIT, 8080, 40001, "10.0.0.1", 11, 11));
	add(l, mkrec(AF_INET, TCP_STATE_CLOSE_WAIT, 8081, 40002, "10.0.0.1", 12, 12));
	add(l, mkrec(AF_INET, TCP_STATE_CLOSE_WAIT, 8082, 40003, "10.0.0.1", 13, 13));
	add(l, mkrec(AF_INET, TCP_STATE_CLOSE_WAIT, 8080, 40004, "10.0.0.1", 14, 14));
	add(l, mkrec(AF_INET, TCP_STATE_CLOSE_WAIT, 8081, 40005, "10.0.0.1", 15, 15));
	add(l, mkrec(AF_INET, TCP_STATE_LAST_ACK, 8080, 41000, "10.0.0.1", 0, 99));
	ck_assert_int_eq(leaks_end(l, true), 0);
	return l;
}

START_TEST(test_owner_rows)
{
	struct leaks_thresholds th = { .has_warn = true, .warn = 2 };
	struct leaks *l = owner_model(LEAKS_ROWS_PROCESS);
	const struct leaks_owner *w;
	struct view_leaks v = { .leaks = l, .complete = true };
	struct view_opts o = { .header = true, .first = true };
	char buf[4096], verdict[512];
	long worst;
	FILE *f;

	ck_assert_uint_eq(leaks_nowners(l), 4);
	w = leaks_owner(l, 0);
	ck_assert_int_eq(w->pid, 100);
	ck_assert_str_eq(w->comm, "java");
	ck_assert_str_eq(w->cgroup, "/app.slice/java.service");
	ck_assert_uint_eq(w->count, 3);
	ck_assert_uint_eq(w->nports, 3);
	ck_assert_uint_eq(w->ntop, 3);
	ck_assert_uint_eq(w->ports[0].port, 8080);
	ck_assert_uint_eq(w->ports[2].port, 8082);
	ck_assert(!w->has_age);
	/* ties (one socket each): pid, then comm: "-" < "?" < nginx[200] */
	ck_assert_str_eq(leaks_owner(l, 1)->comm, "-");
	ck_assert_uint_eq(leaks_owner(l, 1)->ports[0].state, TCP_STATE_LAST_ACK);
	ck_assert_str_eq(leaks_owner(l, 2)->comm, "?");
	ck_assert_int_eq(leaks_owner(l, 3)->pid, 200);
	/* per group nothing is over 2; per process java is */
	ck_assert_int_eq(leaks_evaluate(l, &th, &worst), LEAKS_OK);
	ck_assert_int_eq(leaks_evaluate_owners(l, &th, &worst), LEAKS_WARNING);
	ck_assert_int_eq(worst, 0);
	v.status = LEAKS_WARNING;
	v.worst = worst;
	view_leaks_owners_verdict(&v, false, verdict, sizeof(verdict));
	ck_assert_str_eq(verdict, "WARNING: java[100] holds 3 stuck sockets on 3 ports");
	f = fmemopen(buf, sizeof(buf), "w");
	ck_assert_int_eq(view_leaks_owners_json(f, &v, &o, false), 0);
	fclose(f);
	ck_assert_msg(strstr(buf, "\"by\":\"process\",\"owners\":[{\"pid\":100,\"comm\":\"java\","
			      "\"cgroup\":\"/app.slice/java.service\",\"count\":3,\"oldest_s\":null,"
			      "\"ports_distinct\":3,\"ports\":[{\"port\":8080,\"direction\":\"in\","
			      "\"state\":\"close_wait\",\"count\":1},") != NULL, "json: %s", buf);
	leaks_delete(l);

	l = owner_model(LEAKS_ROWS_CGROUP);
	ck_assert_uint_eq(leaks_nowners(l), 4);
	ck_assert_str_eq(leaks_owner(l, 0)->cgroup, "/app.slice/java.service");
	ck_assert_int_eq(leaks_owner(l, 0)->pid, 0);
	ck_assert_uint_eq(leaks_owner(l, 0)->count, 3);
	ck_assert_str_eq(leaks_owner(l, 1)->cgroup, "");	/* nginx's: none */
	ck_assert_str_eq(leaks_owner(l, 1)->comm, "");
	ck_assert_str_eq(leaks_owner(l, 2)->comm, "-");
	ck_assert_str_eq(leaks_owner(l, 3)->comm, "?");
	v.leaks = l;
	ck_assert_int_eq(leaks_evaluate_owners(l, &th, &v.worst), LEAKS_WARNING);
	view_leaks_owners_verdict(&v, true, verdict, sizeof(verdict));
	ck_assert_str_eq(verdict,
			 "WARNING: cgroup /app.slice/java.service holds 3 stuck sockets on 3 ports");
	leaks_delete(l);
}
END_TEST

static struct sock_rec cw(uint64_t cookie, bool info, uint32_t age_ms)
{
	struct sock_rec r = mkrec(AF_INET, TCP_STATE_CLOSE_WAIT, 8080, (uint16_t)(30000 + cookie),
				  "10.0.0.1", (uint32_t)cookie, cookie);

	r.has_info = info;
	r.info_last_ack_recv = age_ms;
	r.info_last_data_recv = age_ms + 60000;	/* never the age */
	return r;
}

START_TEST(test_ages_one_shot)
{
	struct leaks *l = model(B(CLOSE_WAIT), false, NULL);

	begin_at(l, 1000);
	listener(l, AF_INET, 8080);
	add(l, cw(1, true, 5000));
	add(l, cw(2, true, 312999));
	add(l, cw(3, false, 0));
	ck_assert_int_eq(leaks_end(l, true), 0);
	ck_assert(leaks_group(l, 0)->has_age);
	ck_assert_uint_eq(leaks_group(l, 0)->oldest_ms, 312999);
	ck_assert(leaks_summary(l)->info);
	leaks_delete(l);
}
END_TEST

START_TEST(test_ages_tracked)
{
	struct leaks *l = model(B(CLOSE_WAIT), true, NULL);
	struct sock_rec r;

	begin_at(l, 1000);
	listener(l, AF_INET, 8080);
	add(l, cw(1, true, 5000));
	ck_assert_int_eq(leaks_end(l, true), 0);
	ck_assert_uint_eq(leaks_group(l, 0)->oldest_ms, 5000);

	/* 10 s on; an ACK arrived for 1 (tcp_info says 1 s) and 2 is new,
	 * without tcp_info: 1 keeps its birth, 2 is first seen now. */
	begin_at(l, 1010);
	listener(l, AF_INET, 8080);
	add(l, cw(1, true, 1000));
	add(l, cw(2, false, 0));
	ck_assert_int_eq(leaks_end(l, true), 0);
	ck_assert_uint_eq(leaks_group(l, 0)->oldest_ms, 15000);

	/* 1 gone; 2 is 10 s old.  3 moves from CLOSE_WAIT... */
	begin_at(l, 1020);
	listener(l, AF_INET, 8080);
	add(l, cw(2, false, 0));
	add(l, cw(3, true, 0));
	ck_assert_int_eq(leaks_end(l, true), 0);
	ck_assert_uint_eq(leaks_group(l, 0)->oldest_ms, 10000);

	/* ... to LAST_ACK: its age there starts again. */
	leaks_delete(l);
	l = model(B(CLOSE_WAIT) | B(LAST_ACK), true, NULL);
	begin_at(l, 2000);
	listener(l, AF_INET, 8080);
	add(l, cw(3, true, 0));
	ck_assert_int_eq(leaks_end(l, true), 0);
	begin_at(l, 2030);
	listener(l, AF_INET, 8080);
	r = cw(3, true, 0);
	r.state = TCP_STATE_LAST_ACK;
	add(l, r);
	ck_assert_int_eq(leaks_end(l, true), 0);
	ck_assert_uint_eq(leaks_group(l, 0)->state, TCP_STATE_LAST_ACK);
	ck_assert_uint_eq(leaks_group(l, 0)->oldest_ms, 0);
	leaks_delete(l);
}
END_TEST

/* One sample at @sec with @n CLOSE_WAIT sockets (cookies 1..n). */
static void sample_n(struct leaks *l, long sec, uint64_t n, bool complete)
{
	begin_at(l, sec);
	listener(l, AF_INET, 8080);
	for (uint64_t c = 1; c <= n; c++)
		add(l, cw(c, false, 0));
	ck_assert_int_eq(leaks_end(l, complete), 0);
}

START_TEST(test_growth)
{
	struct leaks *l = model(B(CLOSE_WAIT), true, NULL);
	const struct leaks_group *g;

	sample_n(l, 0, 0, true);
	ck_assert_uint_eq(leaks_ngroups(l), 0);
	sample_n(l, 30, 10, true);
	g = leaks_group(l, 0);
	ck_assert(g->has_growth);
	ck_assert_double_eq_tol(g->growth_per_min, 20.0, 1e-9);	/* from 0 at t=0 */
	sample_n(l, 60, 40, true);
	ck_assert_double_eq_tol(leaks_group(l, 0)->growth_per_min, 40.0, 1e-9);
	/* A partial sample: no growth shown, none recorded, nobody forgotten. */
	sample_n(l, 70, 5, false);
	ck_assert(!leaks_group(l, 0)->has_growth);
	sample_n(l, 90, 40, true);
	ck_assert_double_eq_tol(leaks_group(l, 0)->growth_per_min, 40.0 * 60 / 90, 1e-9);
	ck_assert_uint_eq(leaks_group(l, 0)->oldest_ms, 60000);	/* cookie 40 born at 60 */
	leaks_delete(l);

	/* The window: 5 minutes.  Counts 10, 20, ... every 100 s. */
	l = model(B(CLOSE_WAIT), true, NULL);
	for (long k = 0; k <= 6; k++)
		sample_n(l, 100 * k, (uint64_t)(10 * (k + 1)), true);
	ck_assert_double_eq_tol(leaks_group(l, 0)->growth_per_min, (70.0 - 40.0) * 60 / 300, 1e-9);
	/* Steady: exactly 0. */
	sample_n(l, 700, 70, true);
	sample_n(l, 1100, 70, true);
	ck_assert_double_eq_tol(leaks_group(l, 0)->growth_per_min, 0.0, 1e-12);
	leaks_delete(l);

	/* One sample: no growth at all. */
	l = model(B(CLOSE_WAIT), false, NULL);
	sample_n(l, 0, 3, true);
	sample_n(l, 60, 9, true);
	ck_assert(!leaks_group(l, 0)->has_growth);
	leaks_delete(l);
}
END_TEST

/* What test_many_groups expects of group @i. */
static bool group_ok(const struct leaks_group *g, size_t i, int round)
{
	bool in = g->dir == TABLE_DIR_IN;

	/* 66 groups of 2 first (inbound 0, 1000, ..., 65000), then by port
	 * and direction. */
	if (g->count != (i < 66 ? 2u : 1u))
		return false;
	if (i < 66 && (g->port != 1000 * i || !in))
		return false;
	if (i > 66) {
		const struct leaks_group *p = g - 1;

		if (!(p->port < g->port || (p->port == g->port && p->dir < g->dir)))
			return false;
	}
	return g->npeers == 1 && g->ntop == 1 && g->peers[0].count == g->count &&
	       g->peers[0].family == (in ? AF_INET6 : AF_INET) &&
	       g->peers[0].addr[in ? 15 : 3] == (uint8_t)g->port &&
	       g->peers[0].addr[in ? 14 : 2] == (uint8_t)(g->port >> 8) &&
	       g->nprocs == 1 && strcmp(g->procs[0].comm, in ? "-" : "?") == 0 &&
	       g->procs[0].count == g->count &&
	       /* no tcp_info: an age only for sockets that came after a
	        * complete sample (round 1's are new cookies) */
	       g->has_age == (round == 1) &&
	       g->has_growth == (round == 1) && (round == 0 || g->growth_per_min == 0.0);
}

/*
 * Every port in CLOSE_WAIT both ways: 131072 groups in one sample, each
 * with its own peer, largest first, then by port and direction; the
 * shared peer and owner arrays give each group its own.
 */
START_TEST(test_many_groups)
{
	struct leaks *l = model(B(CLOSE_WAIT), true, NULL);
	uint64_t cookie = 1;
	size_t bad;
	int err = 0;

	for (int round = 0; round < 2; round++) {
		begin_at(l, 1000 + 10 * round);
		for (uint32_t p = 0; p < 65536; p++) {
			struct sock_rec r = mkrec(AF_INET6, TCP_STATE_LISTEN, (uint16_t)p, 0, NULL, 1, 1);

			r.v6only = 1;	/* IPv4 sockets on these ports stay outbound */
			err |= leaks_add(&r, l);
		}
		for (uint32_t p = 0; p < 65536; p++) {
			struct sock_rec r = mkrec(AF_INET6, TCP_STATE_CLOSE_WAIT, (uint16_t)p, 1,
						  "fd00::1", 0, cookie++);

			/* Inbound, from a peer of its own; ports that are
			 * multiples of 1000 hold two sockets. */
			r.daddr[14] = (uint8_t)(p >> 8);
			r.daddr[15] = (uint8_t)p;
			err |= leaks_add(&r, l);
			if (p % 1000 == 0)
				err |= leaks_add(&r, l);
			/* Outbound to the same port, from another peer, from
			 * a local port in the ephemeral range (a local port
			 * outside it, talking to a peer's port inside it,
			 * would be a server's without its listener). */
			r = mkrec(AF_INET, TCP_STATE_CLOSE_WAIT, 40000, (uint16_t)p, "10.0.0.1", 7, cookie++);
			r.daddr[2] = (uint8_t)(p >> 8);
			r.daddr[3] = (uint8_t)p;
			err |= leaks_add(&r, l);
		}
		ck_assert_int_eq(err, 0);
		ck_assert_int_eq(leaks_end(l, true), 0);
		ck_assert_uint_eq(leaks_ngroups(l), 131072);
		ck_assert_uint_eq(leaks_summary(l)->sockets, 131072 + 66);
		/* One ck_assert for all: each costs a write to Check's pipe. */
		for (bad = 0; bad < 131072 && group_ok(leaks_group(l, bad), bad, round); bad++)
			;
		ck_assert_msg(bad == 131072, "round %d, group %zu (port %u dir %u count %llu)",
			      round, bad, leaks_group(l, bad)->port, leaks_group(l, bad)->dir,
			      (unsigned long long)leaks_group(l, bad)->count);
	}
	leaks_delete(l);
}
END_TEST

/*
 * Times the model cannot represent are clamped, never wrapped: seconds
 * near INT64_MAX overflowed the milliseconds (UBSan, from a crafted
 * recording), before 1970 counts as 1970.  Under UBSan in CI.
 */
START_TEST(test_time_extremes)
{
	struct leaks *l = model(B(CLOSE_WAIT), true, NULL);
	struct timespec t = { .tv_sec = (time_t)INT64_MAX, .tv_nsec = 999999999 };
	const struct leaks_group *g;

	leaks_begin(l, &t);
	listener(l, AF_INET, 8080);
	add(l, cw(1, true, 5000));
	ck_assert_int_eq(leaks_end(l, true), 0);
	g = leaks_group(l, 0);
	ck_assert_uint_eq(g->oldest_ms, 5000);
	ck_assert(!g->has_growth);

	/* Back to before the epoch (and a nonsense nsec): 0; the socket was
	 * born "later" now, so tcp_info's bound, cut at the epoch, is all. */
	t = (struct timespec){ .tv_sec = (time_t)INT64_MIN, .tv_nsec = -5 };
	leaks_begin(l, &t);
	listener(l, AF_INET, 8080);
	add(l, cw(1, true, 7000));
	ck_assert_int_eq(leaks_end(l, true), 0);
	g = leaks_group(l, 0);
	ck_assert_uint_eq(g->oldest_ms, 0);
	ck_assert(!g->has_growth);	/* the last sample is "after" now */

	/* Past the largest time the model keeps, twice: the same time. */
	t = (struct timespec){ .tv_sec = (time_t)(LEAKS_MAX_TIME_MS / 1000 + 1) };
	leaks_begin(l, &t);
	listener(l, AF_INET, 8080);
	add(l, cw(3, true, 0));
	add(l, cw(4, true, UINT32_MAX));
	ck_assert_int_eq(leaks_end(l, true), 0);
	g = leaks_group(l, 0);
	ck_assert_uint_eq(g->oldest_ms, UINT32_MAX);
	t.tv_sec += 60;
	leaks_begin(l, &t);
	listener(l, AF_INET, 8080);
	add(l, cw(4, true, 0));
	ck_assert_int_eq(leaks_end(l, true), 0);
	g = leaks_group(l, 0);
	/* Clamped: no time passed, so no rate, and the age did not grow. */
	ck_assert_uint_eq(g->oldest_ms, UINT32_MAX);
	ck_assert(!g->has_growth);
	leaks_delete(l);
}
END_TEST

/* A socket without a cookie (INET_DIAG_NOCOOKIE, or 0) cannot be
 * followed: its age is tcp_info's alone, never another such socket's. */
START_TEST(test_no_cookie)
{
	struct leaks *l = model(B(CLOSE_WAIT), true, NULL);

	begin_at(l, 1000);
	listener(l, AF_INET, 8080);
	add(l, cw(0, true, 50000));
	add(l, cw(UINT64_MAX, true, 40000));
	ck_assert_int_eq(leaks_end(l, true), 0);
	ck_assert_uint_eq(leaks_group(l, 0)->oldest_ms, 50000);
	begin_at(l, 1100);
	listener(l, AF_INET, 8080);
	add(l, cw(0, true, 2000));
	add(l, cw(UINT64_MAX, true, 3000));
	ck_assert_int_eq(leaks_end(l, true), 0);
	ck_assert_uint_eq(leaks_group(l, 0)->oldest_ms, 3000);
	leaks_delete(l);
}
END_TEST

/*
 * Growth against a reference: the plain per-group ring of the last
 * LEAKS_HISTORY complete samples that the model's runs replace.  Six
 * groups come and go with random counts over 300 samples at intervals
 * from 0.5 s to 7 min (so the window holds from one sample to more than
 * the ring), with partial samples and a clock stepped back.
 */
#define REF_GROUPS	6

struct ref_ring {
	bool live;
	unsigned n, head;
	int64_t t[LEAKS_HISTORY];
	uint64_t c[LEAKS_HISTORY];
};

static void ref_push(struct ref_ring *h, int64_t t, uint64_t c)
{
	h->t[h->head] = t;
	h->c[h->head] = c;
	h->head = (h->head + 1) % LEAKS_HISTORY;
	if (h->n < LEAKS_HISTORY)
		h->n++;
}

static bool ref_growth(const struct ref_ring *h, int64_t now, uint64_t count, double *g)
{
	for (unsigned k = 0; k + 1 < h->n; k++) {
		unsigned i = (h->head + LEAKS_HISTORY - h->n + k) % LEAKS_HISTORY;

		if (h->t[i] >= now - LEAKS_GROWTH_WINDOW_MS && h->t[i] < now) {
			*g = ((double)count - (double)h->c[i]) * 60000.0 / (double)(now - h->t[i]);
			return true;
		}
	}
	return false;
}

START_TEST(test_growth_reference)
{
	static const int64_t steps[] = { 500, 1000, 2000, 5000, 30000, 100000, 420000 };
	struct leaks *l = model(B(CLOSE_WAIT), true, NULL);
	struct ref_ring ref[REF_GROUPS] = { 0 };
	uint64_t rnd = 42, cookie = 1;
	int64_t now = 1000000000;
	bool have_prev = false;
	int64_t prev = 0;

	for (int s = 0; s < 300; s++) {
		uint64_t count[REF_GROUPS];
		struct timespec t;
		bool complete;

		rnd = rnd * 6364136223846793005ull + 1442695040888963407ull;
		/* Runs of short steps (the ring is the limit), then long. */
		now += s == 150 ? -200000 : steps[(s / 80 % 2 ? 4 : 0) + (int)(rnd >> 60) % 3];
		complete = (rnd >> 20) % 11 != 0;
		t = (struct timespec){ .tv_sec = now / 1000, .tv_nsec = now % 1000 * 1000000 };
		leaks_begin(l, &t);
		for (int gi = 0; gi < REF_GROUPS; gi++)
			listener(l, AF_INET, (uint16_t)(9000 + gi));
		for (int gi = 0; gi < REF_GROUPS; gi++) {
			rnd = rnd * 6364136223846793005ull + 1442695040888963407ull;
			/* Group 0 grows steadily, the others jump or vanish. */
			count[gi] = gi == 0 ? (uint64_t)s / 3 : (rnd >> 33) % 5 < 2 ? 0 : (rnd >> 40) % 4;
			for (uint64_t k = 0; k < count[gi]; k++) {
				struct sock_rec r = cw(cookie++, false, 0);

				r.sport = (uint16_t)(9000 + gi);
				add(l, r);
			}
		}
		ck_assert_int_eq(leaks_end(l, complete), 0);
		if (!complete) {
			for (size_t i = 0; i < leaks_ngroups(l); i++)
				ck_assert(!leaks_group(l, i)->has_growth);
			continue;
		}
		/* The reference, as leaks.c computed it before runs. */
		for (int gi = 0; gi < REF_GROUPS; gi++) {
			struct ref_ring *h = &ref[gi];
			const struct leaks_group *g = NULL;
			double want = 0;
			bool has;

			if (!count[gi]) {
				if (h->live) {
					ref_push(h, now, 0);
					bool zero = true;

					for (unsigned k = 0; k < h->n; k++)
						zero = zero && h->c[k] == 0;
					if (zero)
						memset(h, 0, sizeof(*h));
				}
				continue;
			}
			if (!h->live) {
				memset(h, 0, sizeof(*h));
				h->live = true;
				if (have_prev)
					ref_push(h, prev, 0);
			}
			ref_push(h, now, count[gi]);
			has = ref_growth(h, now, count[gi], &want);
			for (size_t i = 0; i < leaks_ngroups(l); i++)
				if (leaks_group(l, i)->port == 9000 + gi)
					g = leaks_group(l, i);
			ck_assert_ptr_nonnull(g);
			ck_assert_msg(g->has_growth == has, "sample %d group %d: has_growth %d, want %d",
				      s, gi, g->has_growth, has);
			if (has)
				ck_assert_msg(g->growth_per_min == want,
					      "sample %d group %d: %.17g/min, want %.17g", s, gi,
					      g->growth_per_min, want);
		}
		have_prev = true;
		prev = now;
	}
	leaks_delete(l);
}
END_TEST

/* Two groups: 12 sockets aged 5 s on :8080, 3 aged 100 s on :9090. */
static struct leaks *two_groups(bool info)
{
	struct leaks *l = model(B(CLOSE_WAIT), false, NULL);

	begin_at(l, 1000);
	listener(l, AF_INET, 8080);
	listener(l, AF_INET, 9090);
	for (uint64_t c = 1; c <= 15; c++) {
		struct sock_rec r = cw(c, info, c <= 12 ? 5000 : 100000);

		if (c > 12)
			r.sport = 9090;
		add(l, r);
	}
	ck_assert_int_eq(leaks_end(l, true), 0);
	return l;
}

static const struct {
	struct leaks_thresholds th;
	bool info;
	enum leaks_status want;
	long worst;
} eval_cases[] = {
	{ { 0 }, true, LEAKS_OK, 0 },
	{ { .has_warn = true, .warn = 12 }, true, LEAKS_OK, 0 },
	{ { .has_warn = true, .warn = 11 }, true, LEAKS_WARNING, 0 },
	{ { .has_crit = true, .crit = 12 }, true, LEAKS_OK, 0 },
	{ { .has_crit = true, .crit = 11 }, true, LEAKS_CRITICAL, 0 },
	{ { .has_warn = true, .warn = 2, .has_crit = true, .crit = 11 }, true, LEAKS_CRITICAL, 0 },
	{ { .has_warn = true, .warn = 2, .has_crit = true, .crit = 12 }, true, LEAKS_WARNING, 0 },
	{ { .has_warn_age = true, .warn_age = 100 }, true, LEAKS_OK, 0 },
	{ { .has_warn_age = true, .warn_age = 99 }, true, LEAKS_WARNING, 1 },
	{ { .has_warn_age = true, .warn_age = 4 }, true, LEAKS_WARNING, 0 },
	{ { .has_crit_age = true, .crit_age = 99 }, true, LEAKS_CRITICAL, 1 },
	{ { .has_warn = true, .warn = 11, .has_crit_age = true, .crit_age = 99 }, true, LEAKS_CRITICAL, 1 },
	/* Ages unknown (a recording without tcp_info) with age thresholds. */
	{ { .has_warn_age = true, .warn_age = 99 }, false, LEAKS_UNKNOWN, 0 },
	{ { .has_crit = true, .crit = 2, .has_warn_age = true, .warn_age = 99 }, false, LEAKS_CRITICAL, 0 },
	{ { .has_warn = true, .warn = 2 }, false, LEAKS_WARNING, 0 },
};

START_TEST(test_evaluate)
{
	struct leaks *l = two_groups(eval_cases[_i].info);
	long worst;

	ck_assert_int_eq(leaks_evaluate(l, &eval_cases[_i].th, &worst), eval_cases[_i].want);
	ck_assert_int_eq(worst, eval_cases[_i].worst);
	leaks_delete(l);
}
END_TEST

START_TEST(test_no_groups)
{
	struct leaks *l = model(B(CLOSE_WAIT) | B(LAST_ACK), false, NULL);
	struct leaks_thresholds th = { .has_crit = true, .crit = 0 };
	struct view_leaks v = { .leaks = l, .complete = true };
	char buf[256];

	begin_at(l, 1);
	ck_assert_int_eq(leaks_end(l, true), 0);
	ck_assert_int_eq(leaks_evaluate(l, &th, &v.worst), LEAKS_OK);
	ck_assert_int_eq(v.worst, -1);
	view_leaks_verdict(&v, buf, sizeof(buf));
	ck_assert_str_eq(buf, "OK: no CLOSE_WAIT or LAST_ACK sockets");
	leaks_delete(l);
}
END_TEST

/*
 * Without tcp_info no age is made up (issue 12): sockets of the first
 * sample stay of unknown age however long they are followed; one that
 * appears after a complete sample is dated from its first sighting.  The
 * perfdata says U, with the thresholds in their fields.
 */
START_TEST(test_ages_unknown)
{
	struct leaks *l = model(B(CLOSE_WAIT), true, NULL);
	struct leaks_thresholds th = { .has_crit = true, .crit = 5, .has_warn_age = true,
				       .warn_age = 60 };
	struct view_leaks v = { .leaks = l, .complete = true, .th = &th };
	char buf[256];
	long worst;

	begin_at(l, 1000);
	listener(l, AF_INET, 8080);
	add(l, cw(1, false, 0));
	ck_assert_int_eq(leaks_end(l, true), 0);
	ck_assert(!leaks_group(l, 0)->has_age);
	view_leaks_perfdata(&v, buf, sizeof(buf));
	ck_assert_str_eq(buf, "'close_wait'=1;;5;0 'oldest_close_wait'=U;60;;0");
	ck_assert_int_eq(leaks_evaluate(l, &th, &worst), LEAKS_UNKNOWN);

	begin_at(l, 1100);
	listener(l, AF_INET, 8080);
	add(l, cw(1, false, 0));
	ck_assert_int_eq(leaks_end(l, true), 0);
	ck_assert(!leaks_group(l, 0)->has_age);
	ck_assert_int_eq(leaks_evaluate(l, &th, &worst), LEAKS_UNKNOWN);
	v.status = LEAKS_UNKNOWN, v.worst = worst;
	view_leaks_verdict(&v, buf, sizeof(buf));
	ck_assert_str_eq(buf, "UNKNOWN: 1 CLOSE_WAIT on :8080 held by ? (owner unknown), "
			      "+0/min, age unknown");

	/* 2 came after a complete sample: born since it, dated from now. */
	begin_at(l, 1200);
	listener(l, AF_INET, 8080);
	add(l, cw(2, false, 0));
	ck_assert_int_eq(leaks_end(l, true), 0);
	ck_assert(leaks_group(l, 0)->has_age);
	ck_assert_uint_eq(leaks_group(l, 0)->oldest_ms, 0);
	begin_at(l, 1290);
	listener(l, AF_INET, 8080);
	add(l, cw(2, false, 0));
	ck_assert_int_eq(leaks_end(l, true), 0);
	ck_assert_uint_eq(leaks_group(l, 0)->oldest_ms, 90000);
	view_leaks_perfdata(&v, buf, sizeof(buf));
	ck_assert_str_eq(buf, "'close_wait'=1;;5;0 'oldest_close_wait'=90s;60;;0");
	ck_assert_int_eq(leaks_evaluate(l, &th, &worst), LEAKS_WARNING);
	leaks_delete(l);
}
END_TEST

START_TEST(test_verdict_and_json)
{
	struct leaks *l = model(B(CLOSE_WAIT), true, root);
	struct view_leaks v = { .leaks = l, .complete = true, .tracking = true,
				.status = LEAKS_CRITICAL, .worst = 0,
				.time = { .tv_sec = 100060 } };
	char buf[256], *text = NULL;
	size_t len = 0;
	FILE *f;

	sample_n(l, 100000, 0, true);
	begin_at(l, 100060);
	listener(l, AF_INET, 8080);
	for (uint32_t ino = 11; ino <= 14; ino++)
		add(l, cw(ino, true, 7980000));
	ck_assert_int_eq(leaks_end(l, true), 0);
	view_leaks_verdict(&v, buf, sizeof(buf));
	ck_assert_str_eq(buf, "CRITICAL: 4 CLOSE_WAIT on :8080 held by java[100] and 1 more process, "
			      "+4/min, oldest 2h13m");

	f = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(view_leaks_json(f, &v, &(struct view_opts){ .header = true }), 0);
	fclose(f);
	ck_assert_str_eq(text,
		"{\"version\":1,\"time\":\"1970-01-02T03:47:40Z\",\"netns\":null,\"status\":\"critical\","
		"\"verdict\":\"CRITICAL: 4 CLOSE_WAIT on :8080 held by java[100] and 1 more process, "
		"+4/min, oldest 2h13m\",\"sockets\":4,\"groups\":[{\"port\":8080,\"direction\":\"in\","
		"\"state\":\"close_wait\",\"count\":4,\"recv_q_bytes\":0,\"oldest_s\":7980,"
		"\"growth_per_min\":4.0,\"processes\":[{\"pid\":100,\"comm\":\"java\",\"count\":3,"
		"\"cgroup\":\"/app.slice/java.service\"},{\"pid\":200,\"comm\":\"nginx\",\"count\":1,\"cgroup\":null}],"
		"\"peers_distinct\":1,"
		"\"peers\":[{\"addr\":\"10.0.0.1\",\"count\":4}]}]}\n");
	free(text);
	leaks_delete(l);
}
END_TEST

static const struct {
	uint64_t secs;
	const char *text;
} age_cases[] = {
	{ 0, "0s" }, { 59, "59s" }, { 60, "1m00s" }, { 3599, "59m59s" }, { 3600, "1h00m" },
	{ 7980, "2h13m" }, { 86399, "23h59m" }, { 86400, "1d00h" }, { 30 * 86400 + 7 * 3600, "30d07h" },
};

START_TEST(test_age_format)
{
	char buf[32];

	view_leaks_age(age_cases[_i].secs, buf, sizeof(buf));
	ck_assert_str_eq(buf, age_cases[_i].text);
}
END_TEST

static const struct {
	const char *text;
	int ret;
	uint64_t secs;
} dur_cases[] = {
	{ "0", 0, 0 }, { "90", 0, 90 }, { "90s", 0, 90 }, { "5m", 0, 300 }, { "2h", 0, 7200 },
	{ "1d", 0, 86400 }, { "", -EINVAL, 0 }, { "m", -EINVAL, 0 }, { "5y", -EINVAL, 0 },
	{ "5mm", -EINVAL, 0 }, { "-5", -EINVAL, 0 }, { " 5", -EINVAL, 0 }, { "1.5h", -EINVAL, 0 },
	{ "3660d", 0, 3660ull * 86400 }, { "3661d", -EINVAL, 0 }, { "99999999999999999999", -EINVAL, 0 },
};

START_TEST(test_duration)
{
	uint64_t secs = 12345;

	ck_assert_int_eq(leaks_parse_duration(dur_cases[_i].text, &secs), dur_cases[_i].ret);
	ck_assert_uint_eq(secs, dur_cases[_i].ret ? 12345 : dur_cases[_i].secs);
}
END_TEST

/* The 'leaks' command line: state defaults and limits, thresholds. */
static const struct {
	const char *args[12];
	const char *err;		/* NULL: accepted */
	uint32_t states;
	struct leaks_thresholds th;
} cli_cases[] = {
	{ { "leaks" }, NULL, B(CLOSE_WAIT), { 0 } },
	{ { "leaks", "-s", "last-ack,closing" }, NULL, B(LAST_ACK) | B(CLOSING), { 0 } },
	{ { "leaks", "-s", "fin-wait-1,fin_wait2,close-wait" }, NULL,
	  B(FIN_WAIT1) | B(FIN_WAIT2) | B(CLOSE_WAIT), { 0 } },
	{ { "leaks", "--warn", "0", "--crit", "0" }, NULL, B(CLOSE_WAIT),
	  { .has_warn = true, .has_crit = true } },
	{ { "leaks", "--warn", "10", "--crit", "100", "--warn-age", "5m", "--crit-age", "1h" }, NULL,
	  B(CLOSE_WAIT), { .has_warn = true, .warn = 10, .has_crit = true, .crit = 100,
			   .has_warn_age = true, .warn_age = 300, .has_crit_age = true, .crit_age = 3600 } },
	{ { "leaks", "-s", "established" }, "not 'established'", 0, { 0 } },
	{ { "leaks", "-s", "all" }, "not 'established'", 0, { 0 } },
	{ { "leaks", "-s", "close-wait,listen" }, "not 'listen'", 0, { 0 } },
	{ { "leaks", "--warn", "x" }, "invalid --warn 'x'", 0, { 0 } },
	{ { "leaks", "--crit", "" }, "invalid --crit ''", 0, { 0 } },
	{ { "leaks", "--warn-age", "1w" }, "invalid --warn-age '1w'", 0, { 0 } },
	{ { "leaks", "--warn", "5", "--crit", "4" }, "--warn 5 is above --crit 4", 0, { 0 } },
	{ { "leaks", "--warn-age", "2h", "--crit-age", "1h" }, "is above --crit-age", 0, { 0 } },
	{ { "leaks", "-f", "prometheus", "--all-netns" }, NULL, B(CLOSE_WAIT), { 0 } },
	{ { "leaks", "--all-netns" }, NULL, B(CLOSE_WAIT), { 0 } },
	{ { "leaks", "--all-netns", "-N", "x" }, "--all-netns cannot be used with --netns", 0, { 0 } },
	{ { "leaks", "--all-netns", "--replay", "x" }, "--all-netns cannot be used with --replay", 0, { 0 } },
	{ { "leaks", "--warn-growth", "2.5", "--crit-growth", "10" }, NULL, B(CLOSE_WAIT),
	  { .has_warn_growth = true, .warn_growth = 2.5, .has_crit_growth = true, .crit_growth = 10 } },
	{ { "leaks", "--warn-growth", "-1" }, "invalid --warn-growth '-1'", 0, { 0 } },
	{ { "leaks", "--crit-growth", "inf" }, "invalid --crit-growth 'inf'", 0, { 0 } },
	{ { "leaks", "--crit-growth", "0x10" }, "invalid --crit-growth '0x10'", 0, { 0 } },
	{ { "leaks", "--warn-growth", "5", "--crit-growth", "4" }, "--warn-growth 5 is above --crit-growth 4", 0, { 0 } },
	{ { "leaks", "--state-file", "" }, "empty --state-file name", 0, { 0 } },
	{ { "leaks", "--state-file", "s", "--all-netns" }, "--state-file cannot be used with --all-netns", 0, { 0 } },
	{ { "leaks", "--state-file", "s", "--replay", "r" }, "--state-file cannot be used with --replay", 0, { 0 } },
	{ { "--state-file", "s" }, "--state-file applies to 'leaks' only", 0, { 0 } },
	{ { "top", "--warn-growth", "1" }, "apply to 'leaks' only", 0, { 0 } },
	{ { "--warn", "5" }, "apply to 'leaks' only", 0, { 0 } },
	{ { "top", "--crit-age", "5" }, "apply to 'leaks' only", 0, { 0 } },
};

START_TEST(test_cli)
{
	char *argv[14], err[256] = "";
	char words[14][64];
	struct config cfg;
	int argc = 0, ret;

	snprintf(words[argc], sizeof(words[0]), "portstat");
	argv[argc] = words[argc], argc++;
	for (int i = 0; cli_cases[_i].args[i]; i++) {
		snprintf(words[argc], sizeof(words[0]), "%s", cli_cases[_i].args[i]);
		argv[argc] = words[argc], argc++;
	}
	argv[argc] = NULL;
	ret = cli_parse(&cfg, argc, argv, err, sizeof(err));
	if (cli_cases[_i].err) {
		ck_assert_int_eq(ret, -EINVAL);
		ck_assert_msg(strstr(err, cli_cases[_i].err), "error \"%s\" lacks \"%s\"", err,
			      cli_cases[_i].err);
		return;
	}
	ck_assert_msg(ret == 0, "rejected: %s", err);
	ck_assert_uint_eq(cfg.leak_states, cli_cases[_i].states);
	ck_assert_mem_eq(&cfg.thresholds, &cli_cases[_i].th, sizeof(cfg.thresholds));
	ck_assert_uint_eq(cfg.count, 1);
}
END_TEST

/* Prometheus with a kept exported set (serve, -i): a group that ends
 * stays exported as portstat_leak_sockets 0 (no age, growth or owners)
 * while a member, until a newcomer of the top ranks takes its slot; one
 * past the bound goes under port="other"; a container's namespace labels
 * every series with its container and pod. */
START_TEST(test_prom_stable_series)
{
	struct leaks *l = model(B(CLOSE_WAIT), true, NULL);
	struct holder h = { .container = "0123456789ab", .pod_uid = "u", .hostname = "web-0" };
	struct series *set;
	struct view_leaks vl;
	struct view_opts o = { .top = 2, .header = true };
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	uint32_t ino = 1;

	ck_assert_int_eq(series_new(&set, 2, false), 0);
	begin_at(l, 1000);
	listener(l, AF_INET, 8080);
	listener(l, AF_INET, 8081);
	for (int i = 0; i < 3; i++, ino++)
		add(l, mkrec(AF_INET, TCP_STATE_CLOSE_WAIT, 8080, (uint16_t)(40000 + ino), "10.0.0.1", ino, ino));
	add(l, mkrec(AF_INET, TCP_STATE_CLOSE_WAIT, 8081, 41000, "10.0.0.1", ino, ino)), ino++;
	ck_assert_int_eq(leaks_end(l, true), 0);
	vl = (struct view_leaks){ .leaks = l, .complete = true, .series = set, .worst = -1 };
	ck_assert_ptr_nonnull(f = open_memstream(&buf, &len));
	ck_assert_int_eq(view_leaks_prom(f, &vl, &o, NULL), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "\nportstat_leak_sockets{port=\"8081\",direction=\"in\",state=\"close_wait\"} 1\n"));
	free(buf);
	buf = NULL;

	/* 8081's leak ended: still a member, exported as 0. */
	begin_at(l, 1010);
	listener(l, AF_INET, 8080);
	for (int i = 0; i < 3; i++, ino++)
		add(l, mkrec(AF_INET, TCP_STATE_CLOSE_WAIT, 8080, (uint16_t)(40000 + ino), "10.0.0.1", ino, ino));
	ck_assert_int_eq(leaks_end(l, true), 0);
	vl.holder = &h;
	ck_assert_ptr_nonnull(f = open_memstream(&buf, &len));
	ck_assert_int_eq(view_leaks_prom(f, &vl, &o, "ns"), 0);
	fclose(f);
#define LBL "netns=\"ns\",container=\"0123456789ab\",pod=\"web-0\","
	ck_assert_ptr_nonnull(strstr(buf, "\nportstat_leak_sockets{" LBL "port=\"8080\",direction=\"in\",state=\"close_wait\"} 3\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nportstat_leak_sockets{" LBL "port=\"8081\",direction=\"in\",state=\"close_wait\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nportstat_leak_status{netns=\"ns\",container=\"0123456789ab\",pod=\"web-0\"} 0\n"));
	ck_assert_ptr_null(strstr(buf, "portstat_leak_oldest_seconds{" LBL "port=\"8081\""));
	ck_assert_ptr_null(strstr(buf, "portstat_leak_growth_sockets_per_second{" LBL "port=\"8081\""));
	ck_assert_ptr_null(strstr(buf, "portstat_leak_process_sockets{" LBL "port=\"8081\""));
	/* 8080's growth is known: 3 then 3. */
	ck_assert_ptr_nonnull(strstr(buf, "\nportstat_leak_growth_sockets_per_second{" LBL "port=\"8080\",direction=\"in\",state=\"close_wait\"} 0\n"));
	free(buf);
	buf = NULL;

	/* 8082 (2) ranks within the bound: it takes the absent member's
	 * slot; 8083 (1) ranks past it: summed under "other". */
	begin_at(l, 1020);
	listener(l, AF_INET, 8080);
	listener(l, AF_INET, 8082);
	listener(l, AF_INET, 8083);
	for (int i = 0; i < 3; i++, ino++)
		add(l, mkrec(AF_INET, TCP_STATE_CLOSE_WAIT, 8080, (uint16_t)(40000 + ino), "10.0.0.1", ino, ino));
	for (int i = 0; i < 2; i++, ino++)
		add(l, mkrec(AF_INET, TCP_STATE_CLOSE_WAIT, 8082, (uint16_t)(40000 + ino), "10.0.0.1", ino, ino));
	add(l, mkrec(AF_INET, TCP_STATE_CLOSE_WAIT, 8083, 42000, "10.0.0.1", ino, ino)), ino++;
	ck_assert_int_eq(leaks_end(l, true), 0);
	ck_assert_ptr_nonnull(f = open_memstream(&buf, &len));
	ck_assert_int_eq(view_leaks_prom(f, &vl, &o, "ns"), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "\nportstat_leak_sockets{" LBL "port=\"8082\",direction=\"in\",state=\"close_wait\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nportstat_leak_sockets{" LBL "port=\"other\",direction=\"in\",state=\"close_wait\"} 1\n"));
	ck_assert_ptr_null(strstr(buf, "port=\"8081\""));
	ck_assert_ptr_null(strstr(buf, "port=\"8083\""));
#undef LBL
	free(buf);
	series_delete(set);
	leaks_delete(l);
}
END_TEST

static Suite *leaks_suite(void)
{
	Suite *s = suite_create("leaks");
	TCase *tc = tcase_create("model");

	tcase_add_test(tc, test_groups);
	tcase_add_test(tc, test_closed_listener);
	tcase_add_test(tc, test_top_peers);
	tcase_add_test(tc, test_peer_ties);
	tcase_add_test(tc, test_many_groups);
	tcase_add_test(tc, test_time_extremes);
	tcase_add_test(tc, test_no_cookie);
	tcase_add_test(tc, test_growth_reference);
	tcase_add_test(tc, test_ages_one_shot);
	tcase_add_test(tc, test_ages_tracked);
	tcase_add_test(tc, test_ages_unknown);
	tcase_add_test(tc, test_growth);
	tcase_add_loop_test(tc, test_evaluate, 0, sizeof(eval_cases) / sizeof(eval_cases[0]));
	tcase_add_test(tc, test_no_groups);
	/* test_many_groups takes a second or two under ASan on a busy
	 * machine: Check's default of 4 s is too close. */
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("owners");
	tcase_add_checked_fixture(tc, proc_tree, proc_tree_done);
	tcase_add_test(tc, test_owners);
	tcase_add_test(tc, test_owner_rows);
	tcase_add_test(tc, test_verdict_and_json);
	tcase_add_test(tc, test_prom_stable_series);
	suite_add_tcase(s, tc);

	tc = tcase_create("text");
	tcase_add_loop_test(tc, test_age_format, 0, sizeof(age_cases) / sizeof(age_cases[0]));
	tcase_add_loop_test(tc, test_duration, 0, sizeof(dur_cases) / sizeof(dur_cases[0]));
	tcase_add_loop_test(tc, test_cli, 0, sizeof(cli_cases) / sizeof(cli_cases[0]));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(leaks_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
