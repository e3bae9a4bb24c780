/* SPDX-License-Identifier: MIT */
/*
 * check_doctor: the pure parts of `portstat doctor`: --warn/--crit
 * CHECK=VALUE parsing (and the doctor command line), /proc/net/netstat
 * and ip_local_reserved_ports parsing, and the checks over synthesized
 * sockets: which findings, their numbers, tcp_tw_reuse, and the order
 * (severity, then how far past the warning level).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <check.h>

#include "cli_doctor.h"
#include "diag.h"
#include "doctor.h"
#include "tcp_state.h"
#include "view_doctor.h"

START_TEST(test_threshold_parse)
{
	struct doctor_thresholds th;
	char err[256];

	doctor_thresholds_default(&th);
	ck_assert_uint_eq(th.warn[DOCTOR_EPHEMERAL], 60);
	ck_assert_uint_eq(th.crit[DOCTOR_ACCEPT_QUEUE], 100);
	ck_assert_int_eq(doctor_threshold_parse(&th, true, "ephemeral=90%", err, sizeof(err)), 0);
	ck_assert_uint_eq(th.crit[DOCTOR_EPHEMERAL], 90);
	ck_assert_uint_eq(th.warn[DOCTOR_EPHEMERAL], 60);
	ck_assert_int_eq(doctor_threshold_parse(&th, false, "close-wait=250", err, sizeof(err)), 0);
	ck_assert_uint_eq(th.warn[DOCTOR_CLOSE_WAIT], 250);
	ck_assert_int_eq(doctor_threshold_parse(&th, false, "server-close=0", err, sizeof(err)), 0);
	ck_assert_uint_eq(th.warn[DOCTOR_SERVER_CLOSE], 0);
}
END_TEST

static const struct {
	const char *arg, *msg;
} bad_thresholds[] = {
	{ "ephemeral", "invalid --warn 'ephemeral' (CHECK=VALUE, e.g. ephemeral=90%)" },
	{ "ephemeral=90", "invalid --warn 'ephemeral=90' (ephemeral takes a percent, 0% to 1000%)" },
	{ "ephemeral=90%%", "invalid --warn 'ephemeral=90%%' (ephemeral takes a percent, 0% to 1000%)" },
	{ "ephemeral=1001%", "invalid --warn 'ephemeral=1001%' (ephemeral takes a percent, 0% to 1000%)" },
	{ "close-wait=5%", "invalid --warn 'close-wait=5%' (close-wait takes a number of sockets)" },
	{ "close-wait=-1", "invalid value in --warn 'close-wait=-1'" },
	{ "close-wait=", "invalid value in --warn 'close-wait='" },
	{ "close-wait=99999999999999999999999", "invalid value in --warn 'close-wait=99999999999999999999999'" },
	{ "bogus=1", "unknown check 'bogus' in --warn 'bogus=1' (accept-queue, ephemeral, server-close, close-wait, tw-buckets, fin-wait2, syn-recv or orphans)" },
	{ "=1", "unknown check '' in --warn '=1' (accept-queue, ephemeral, server-close, close-wait, tw-buckets, fin-wait2, syn-recv or orphans)" },
};

START_TEST(test_threshold_bad)
{
	struct doctor_thresholds th, before;
	char err[256];

	doctor_thresholds_default(&th);
	before = th;
	ck_assert_int_eq(doctor_threshold_parse(&th, false, bad_thresholds[_i].arg, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, bad_thresholds[_i].msg);
	ck_assert_mem_eq(&th, &before, sizeof(th));
}
END_TEST

static int parse(struct doctor_config *cfg, char *err, ...)
{
	char *argv[16] = { "portstat", "doctor" };
	int argc = 2;
	va_list ap;
	char *a;

	va_start(ap, err);
	while ((a = va_arg(ap, char *)) && argc < 15)
		argv[argc++] = a;
	va_end(ap);
	return cli_doctor_parse(cfg, argc, argv, err, 256);
}

START_TEST(test_cli)
{
	struct doctor_config cfg;
	char err[256];

	ck_assert_int_eq(parse(&cfg, err, NULL), 0);
	ck_assert_int_eq(cfg.format, CLI_DOCTOR_TEXT);
	ck_assert_uint_eq(cfg.count, 1);
	ck_assert(cfg.interval == 0);
	ck_assert_ptr_null(cfg.netns);
	ck_assert_int_eq(parse(&cfg, err, "-f", "json", "-N", "ns1", "--crit", "ephemeral=90%",
			       "--warn", "ephemeral=50%", NULL), 0);
	ck_assert_int_eq(cfg.format, CLI_DOCTOR_JSON);
	ck_assert_str_eq(cfg.netns, "ns1");
	ck_assert_uint_eq(cfg.th.crit[DOCTOR_EPHEMERAL], 90);
	ck_assert_uint_eq(cfg.th.warn[DOCTOR_EPHEMERAL], 50);
	/* -i alone repeats until stopped, -c alone once a second. */
	ck_assert_int_eq(parse(&cfg, err, "-i", "2", NULL), 0);
	ck_assert_uint_eq(cfg.count, 0);
	ck_assert(cfg.interval == 2.0);
	ck_assert_int_eq(parse(&cfg, err, "-c", "3", NULL), 0);
	ck_assert_uint_eq(cfg.count, 3);
	ck_assert(cfg.interval == 1.0);
	ck_assert_int_eq(parse(&cfg, err, "--all-netns", NULL), 0);
	ck_assert(cfg.all_netns);
	ck_assert_int_eq(parse(&cfg, err, "--help", NULL), 0);
	ck_assert(cfg.help);
	/* A replay runs every recorded sample unless -c limits them. */
	ck_assert_int_eq(parse(&cfg, err, "--replay", "f.rec", NULL), 0);
	ck_assert_str_eq(cfg.replay, "f.rec");
	ck_assert_uint_eq(cfg.count, 0);
	ck_assert(cfg.interval == 0);
	ck_assert_int_eq(parse(&cfg, err, "--replay", "f.rec", "-c", "2", NULL), 0);
	ck_assert_uint_eq(cfg.count, 2);
	ck_assert(cfg.interval == 0);
	ck_assert_int_eq(parse(&cfg, err, "--record", "f.rec", "-N", "ns1", "-i", "1", "-c", "2", NULL), 0);
	ck_assert_str_eq(cfg.record, "f.rec");
	ck_assert_ptr_null(cfg.replay);
	ck_assert_uint_eq(cfg.count, 2);
}
END_TEST

START_TEST(test_cli_bad)
{
	struct doctor_config cfg;
	char err[256];

	ck_assert_int_eq(parse(&cfg, err, "-f", "csv", NULL), -EINVAL);
	ck_assert_str_eq(err, "unknown format 'csv' (text or json)");
	ck_assert_int_eq(parse(&cfg, err, "--warn", "ephemeral=90%", "--crit", "ephemeral=50%", NULL), -EINVAL);
	ck_assert_str_eq(err, "--warn ephemeral=90% is above --crit ephemeral=50%");
	ck_assert_int_eq(parse(&cfg, err, "--warn", "close-wait=200", NULL), -EINVAL);
	ck_assert_str_eq(err, "--warn close-wait=200 is above the default --crit close-wait=100 (raise it too)");
	ck_assert_int_eq(parse(&cfg, err, "-i", "0", NULL), -EINVAL);
	ck_assert_str_eq(err, "invalid --interval '0' (0.01 to 86400 seconds)");
	ck_assert_int_eq(parse(&cfg, err, "-c", "0", NULL), -EINVAL);
	ck_assert_str_eq(err, "invalid --count '0' (a number from 1)");
	ck_assert_int_eq(parse(&cfg, err, "-s", "listen", NULL), -EINVAL);
	ck_assert_str_eq(err, "unknown option '-s' for 'doctor'");
	ck_assert_int_eq(parse(&cfg, err, "--crit", NULL), -EINVAL);
	ck_assert_str_eq(err, "option '--crit' needs a value");
	ck_assert_int_eq(parse(&cfg, err, "extra", NULL), -EINVAL);
	ck_assert_str_eq(err, "unexpected argument 'extra'");
	ck_assert_int_eq(parse(&cfg, err, "--all-netns", "-N", "x", NULL), -EINVAL);
	ck_assert_str_eq(err, "--all-netns cannot be used with --netns");
	ck_assert_int_eq(parse(&cfg, err, "-N", "", NULL), -EINVAL);
	ck_assert_str_eq(err, "empty --netns name");
	ck_assert_int_eq(parse(&cfg, err, "--record", "", NULL), -EINVAL);
	ck_assert_str_eq(err, "empty --record file name");
	ck_assert_int_eq(parse(&cfg, err, "--replay", "", NULL), -EINVAL);
	ck_assert_str_eq(err, "empty --replay file name");
	ck_assert_int_eq(parse(&cfg, err, "--record", "a", "--replay", "b", NULL), -EINVAL);
	ck_assert_str_eq(err, "--record and --replay cannot be used together");
	ck_assert_int_eq(parse(&cfg, err, "--replay", "b", "-N", "x", NULL), -EINVAL);
	ck_assert_str_eq(err, "--replay and --netns cannot be used together");
	ck_assert_int_eq(parse(&cfg, err, "--all-netns", "--record", "a", NULL), -EINVAL);
	ck_assert_str_eq(err, "--all-netns cannot be used with --record");
	ck_assert_int_eq(parse(&cfg, err, "--all-netns", "--replay", "a", NULL), -EINVAL);
	ck_assert_str_eq(err, "--all-netns cannot be used with --replay");
	ck_assert_int_eq(parse(&cfg, err, "--replay", "a", "-i", "1", NULL), -EINVAL);
	ck_assert_str_eq(err, "--replay and --interval cannot be used together "
			 "(a replay runs its recorded samples; -c limits them)");
	ck_assert_int_eq(parse(&cfg, err, "--record", NULL), -EINVAL);
	ck_assert_str_eq(err, "option '--record' needs a value");
}
END_TEST

/* Lines as Linux 6.1 writes them, cut short. */
static const char netstat[] =
	"TcpExt: SyncookiesSent SyncookiesRecv ListenOverflows ListenDrops TCPTimeWaitOverflow\n"
	"TcpExt: 3 0 17 21 0\n"
	"IpExt: InNoRoutes InTruncatedPkts\n"
	"IpExt: 0 0\n";

START_TEST(test_netstat)
{
	struct doctor_ns ns = { 0 };

	ck_assert_int_eq(doctor_netstat_parse(netstat, &ns), 0);
	ck_assert(ns.has_netstat);
	ck_assert_uint_eq(ns.listen_overflows, 17);
	ck_assert_uint_eq(ns.listen_drops, 21);
	ck_assert(ns.has_tw_overflow);
	ck_assert_uint_eq(ns.tw_overflow, 0);
	ck_assert(ns.has_cookies_sent);
	ck_assert_uint_eq(ns.cookies_sent, 3);
	/* An older kernel without TCPTimeWaitOverflow: the rest still reads. */
	memset(&ns, 0, sizeof(ns));
	ck_assert_int_eq(doctor_netstat_parse("TcpExt: ListenOverflows ListenDrops\nTcpExt: 4 5\n", &ns), 0);
	ck_assert_uint_eq(ns.listen_drops, 5);
	ck_assert(!ns.has_tw_overflow);
}
END_TEST

START_TEST(test_netstat_bad)
{
	static const char *const bad[] = {
		"",
		"IpExt: InNoRoutes\nIpExt: 0\n",
		"TcpExt: ListenOverflows ListenDrops\n",			/* no value line */
		"TcpExt: ListenOverflows ListenDrops\nIpExt: 1 2\n",	/* not paired */
		"TcpExt: ListenOverflows ListenDrops\nTcpExt: 1\n",	/* a value short */
		"TcpExt: ListenOverflows\nTcpExt: 1\n",			/* no ListenDrops */
		"TcpExt: ListenOverflows ListenDrops\nTcpExt: 1 x\n",
	};
	struct doctor_ns ns = { 0 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(doctor_netstat_parse(bad[i], &ns) == -EBADMSG, "case %zu", i);
		ck_assert(!ns.has_netstat);
	}
}
END_TEST

START_TEST(test_reserved)
{
	ck_assert_int_eq(doctor_reserved_count("", 40000, 40099), 0);
	ck_assert_int_eq(doctor_reserved_count("\n", 40000, 40099), 0);
	ck_assert_int_eq(doctor_reserved_count("8080\n", 40000, 40099), 0);
	ck_assert_int_eq(doctor_reserved_count("40090-40099,8080\n", 40000, 40099), 10);
	/* Ranges cut at both ends of the ephemeral range. */
	ck_assert_int_eq(doctor_reserved_count("39990-40004,40095-40200", 40000, 40099), 10);
	ck_assert_int_eq(doctor_reserved_count("40000,40001,40002", 40000, 40099), 3);
	ck_assert_int_eq(doctor_reserved_count("x", 40000, 40099), -EINVAL);
	ck_assert_int_eq(doctor_reserved_count("5-4", 1, 10), -EINVAL);
	ck_assert_int_eq(doctor_reserved_count("70000", 1, 10), -EINVAL);
	ck_assert_int_eq(doctor_reserved_count("1-", 1, 10), -EINVAL);
}
END_TEST

static struct sock_rec rec4(enum tcp_state st, const char *src, uint16_t sport,
			    const char *dst, uint16_t dport)
{
	struct sock_rec r;

	memset(&r, 0, sizeof(r));
	r.family = AF_INET;
	r.state = (uint8_t)st;
	inet_pton(AF_INET, src, r.saddr);
	inet_pton(AF_INET, dst, r.daddr);
	r.sport = sport;
	r.dport = dport;
	return r;
}

static struct doctor *model(const struct doctor_thresholds *th, int tw_reuse)
{
	struct doctor_ns ns = {
		.has_range = true, .eph_lo = 40000, .eph_hi = 40099, .reserved = 0,
		.has_tw_reuse = true, .tw_reuse = tw_reuse,
	};
	struct doctor_thresholds def;
	struct doctor *d;
	struct table *t;

	if (!th) {
		doctor_thresholds_default(&def);
		th = &def;
	}
	ck_assert_int_eq(doctor_new(&d, th), 0);
	t = doctor_begin(d, &ns);
	table_set_ephemeral(t, 40000, 40099);
	return d;
}

static void add(struct doctor *d, struct sock_rec r, int n)
{
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(doctor_add(&r, d), 0);
}

/* A pathology of each kind: every finding with its numbers, worst first. */
START_TEST(test_checks)
{
	struct doctor *d = model(NULL, 0);
	struct sock_rec full = rec4(TCP_STATE_LISTEN, "127.0.0.1", 8080, "0.0.0.0", 0);
	struct sock_rec idle = rec4(TCP_STATE_LISTEN, "0.0.0.0", 9090, "0.0.0.0", 0);
	const struct doctor_finding *f;

	full.rqueue = 5, full.wqueue = 4, full.inode = 77, full.uid = 1000;
	idle.rqueue = 0, idle.wqueue = 128;
	add(d, full, 1);
	add(d, idle, 1);
	/* 70 of 100 ports toward 10.0.0.2:5432, 30 of them in TIME_WAIT. */
	for (int i = 0; i < 70; i++) {
		struct sock_rec r = rec4(i < 30 ? TCP_STATE_TIME_WAIT : TCP_STATE_ESTABLISHED,
					 "10.0.0.1", (uint16_t)(40000 + i), "10.0.0.2", 5432);
		add(d, r, 1);
	}
	/* Another destination: counted apart. */
	add(d, rec4(TCP_STATE_ESTABLISHED, "10.0.0.1", 40000, "10.0.0.3", 5432), 1);
	/* A port outside the range is not ephemeral. */
	add(d, rec4(TCP_STATE_ESTABLISHED, "10.0.0.1", 1000, "10.0.0.2", 5432), 1);
	/* The server's TIME_WAIT and CLOSE_WAIT on its listening port. */
	add(d, rec4(TCP_STATE_TIME_WAIT, "127.0.0.1", 8080, "127.0.0.1", 40500), 1001);
	add(d, rec4(TCP_STATE_CLOSE_WAIT, "127.0.0.1", 9090, "127.0.0.1", 40600), 11);
	ck_assert_int_eq(doctor_end(d), 0);

	ck_assert_uint_eq(doctor_nfindings(d), 4);
	ck_assert_int_eq(doctor_status(d), DOCTOR_CRITICAL);
	f = doctor_finding(d, 0);
	ck_assert_int_eq(f->check, DOCTOR_ACCEPT_QUEUE);
	ck_assert_int_eq(f->severity, DOCTOR_CRITICAL);
	ck_assert_uint_eq(f->port, 8080);
	ck_assert_uint_eq(f->value, 5);
	ck_assert_uint_eq(f->limit, 4);
	ck_assert_uint_eq(f->pct, 125);
	ck_assert_uint_eq(f->inode, 77);
	ck_assert_uint_eq(f->uid, 1000);
	/* Warnings: the one furthest past its level first: ephemeral
	 * 70% / 60% = 1.17, close-wait 11 / 10 = 1.1, server-close
	 * 1001 / 1000 = 1.001. */
	f = doctor_finding(d, 1);
	ck_assert_int_eq(f->check, DOCTOR_EPHEMERAL);
	ck_assert_int_eq(f->severity, DOCTOR_WARNING);
	ck_assert_uint_eq(f->port, 5432);
	ck_assert_uint_eq(f->value, 70);
	ck_assert_uint_eq(f->limit, 100);
	ck_assert_uint_eq(f->extra, 30);
	f = doctor_finding(d, 2);
	ck_assert_int_eq(f->check, DOCTOR_CLOSE_WAIT);
	ck_assert_uint_eq(f->port, 9090);
	ck_assert_uint_eq(f->dir, TABLE_DIR_IN);
	ck_assert_uint_eq(f->value, 11);
	f = doctor_finding(d, 3);
	ck_assert_int_eq(f->check, DOCTOR_SERVER_CLOSE);
	ck_assert_uint_eq(f->port, 8080);
	ck_assert_uint_eq(f->value, 1001);
	ck_assert_uint_eq(doctor_examined(d, DOCTOR_ACCEPT_QUEUE), 2);
	ck_assert_uint_eq(doctor_examined(d, DOCTOR_EPHEMERAL), 2);
	ck_assert_uint_eq(doctor_worst(d, DOCTOR_EPHEMERAL), 70);

	/* A new sample forgets the last one. */
	doctor_begin(d, doctor_ns(d));
	ck_assert_int_eq(doctor_end(d), 0);
	ck_assert_uint_eq(doctor_nfindings(d), 0);
	ck_assert_int_eq(doctor_status(d), DOCTOR_OK);
	doctor_delete(d);
}
END_TEST

/* tcp_tw_reuse: 1 frees TIME_WAIT ports toward anyone, 2 toward loopback
 * only, 0 toward no one. */
START_TEST(test_tw_reuse)
{
	static const struct {
		int reuse;
		const char *dst;
		uint64_t held;
	} cases[] = {
		{ 0, "127.0.0.1", 90 }, { 2, "127.0.0.1", 10 }, { 2, "10.0.0.2", 90 },
		{ 1, "10.0.0.2", 10 },
	};

	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct doctor *d = model(NULL, cases[k].reuse);

		for (int i = 0; i < 90; i++)
			add(d, rec4(i < 80 ? TCP_STATE_TIME_WAIT : TCP_STATE_ESTABLISHED, "10.0.0.1",
				    (uint16_t)(40000 + i), cases[k].dst, 80), 1);
		ck_assert_int_eq(doctor_end(d), 0);
		ck_assert_uint_eq(doctor_worst(d, DOCTOR_EPHEMERAL), cases[k].held);
		if (cases[k].held == 90) {
			ck_assert_uint_eq(doctor_nfindings(d), 1);
			ck_assert_int_eq(doctor_finding(d, 0)->severity, DOCTOR_CRITICAL);
		} else {
			ck_assert_uint_eq(doctor_nfindings(d), 0);
		}
		doctor_delete(d);
	}
}
END_TEST

/* Levels: percents alert at the level, counts past it (as leaks). */
START_TEST(test_levels)
{
	struct doctor_thresholds th;
	struct doctor *d;
	struct sock_rec l = rec4(TCP_STATE_LISTEN, "0.0.0.0", 80, "0.0.0.0", 0);
	char err[128];

	doctor_thresholds_default(&th);
	ck_assert_int_eq(doctor_threshold_parse(&th, false, "close-wait=3", err, sizeof(err)), 0);
	d = model(&th, 0);
	l.rqueue = 8, l.wqueue = 10;
	add(d, l, 1);
	add(d, rec4(TCP_STATE_CLOSE_WAIT, "10.0.0.1", 80, "10.0.0.9", 50000), 3);
	ck_assert_int_eq(doctor_end(d), 0);
	ck_assert_uint_eq(doctor_nfindings(d), 1);
	ck_assert_int_eq(doctor_finding(d, 0)->check, DOCTOR_ACCEPT_QUEUE);
	ck_assert_int_eq(doctor_finding(d, 0)->severity, DOCTOR_WARNING);
	doctor_delete(d);
}
END_TEST

/* The TIME_WAIT table against tcp_max_tw_buckets, FIN_WAIT2 per peer. */
START_TEST(test_tw_fin_wait2)
{
	struct doctor_ns ns = {
		.has_range = true, .eph_lo = 40000, .eph_hi = 40099,
		.has_max_tw = true, .max_tw = 20, .has_netstat = true,
		.has_tw_overflow = true, .tw_overflow = 7,
	};
	struct doctor_thresholds th;
	const struct doctor_finding *f;
	struct doctor *d;

	doctor_thresholds_default(&th);
	ck_assert_int_eq(doctor_new(&d, &th), 0);
	doctor_begin(d, &ns);
	/* 19 of 20 TIME_WAIT (95%: critical), server side and client side. */
	add(d, rec4(TCP_STATE_TIME_WAIT, "10.0.0.1", 80, "10.0.0.9", 50000), 9);
	add(d, rec4(TCP_STATE_TIME_WAIT, "10.0.0.1", 45000, "10.0.0.9", 80), 10);
	/* 12 FIN_WAIT2 toward one peer, 3 toward another. */
	add(d, rec4(TCP_STATE_FIN_WAIT2, "10.0.0.1", 45000, "10.0.0.7", 80), 12);
	add(d, rec4(TCP_STATE_FIN_WAIT2, "10.0.0.1", 45000, "10.0.0.8", 80), 3);
	ck_assert_int_eq(doctor_end(d), 0);
	ck_assert_uint_eq(doctor_nfindings(d), 2);
	f = doctor_finding(d, 0);
	ck_assert_int_eq(f->check, DOCTOR_TW_BUCKETS);
	ck_assert_int_eq(f->severity, DOCTOR_CRITICAL);
	ck_assert_uint_eq(f->value, 19);
	ck_assert_uint_eq(f->limit, 20);
	ck_assert_uint_eq(f->pct, 95);
	ck_assert_uint_eq(f->extra, 7);
	f = doctor_finding(d, 1);
	ck_assert_int_eq(f->check, DOCTOR_FIN_WAIT2);
	ck_assert_int_eq(f->severity, DOCTOR_WARNING);
	ck_assert_uint_eq(f->value, 12);
	ck_assert_uint_eq(f->raddr[3], 7);
	ck_assert_uint_eq(doctor_examined(d, DOCTOR_FIN_WAIT2), 2);
	doctor_delete(d);
}
END_TEST

/* SYN_RECV per listening port against the port's largest backlog; a
 * SYN_RECV on a port nobody listens on is not counted. */
START_TEST(test_syn_recv)
{
	struct doctor *d = model(NULL, 0);
	struct sock_rec a = rec4(TCP_STATE_LISTEN, "10.0.0.1", 8080, "0.0.0.0", 0);
	struct sock_rec b = rec4(TCP_STATE_LISTEN, "10.0.0.2", 8080, "0.0.0.0", 0);
	const struct doctor_finding *f;

	a.wqueue = 4, a.inode = 10;
	b.wqueue = 8, b.inode = 11;
	add(d, a, 1);
	add(d, b, 1);
	add(d, rec4(TCP_STATE_SYN_RECV, "10.0.0.1", 8080, "10.9.9.9", 50000), 7);
	add(d, rec4(TCP_STATE_SYN_RECV, "10.0.0.1", 9999, "10.9.9.9", 50000), 50);
	ck_assert_int_eq(doctor_end(d), 0);
	ck_assert_uint_eq(doctor_nfindings(d), 1);
	f = doctor_finding(d, 0);
	ck_assert_int_eq(f->check, DOCTOR_SYN_RECV);
	ck_assert_int_eq(f->severity, DOCTOR_WARNING);
	ck_assert_uint_eq(f->port, 8080);
	ck_assert_uint_eq(f->value, 7);
	ck_assert_uint_eq(f->limit, 8);
	ck_assert_uint_eq(f->pct, 87);
	ck_assert_uint_eq(f->inode, 11);
	doctor_delete(d);
}
END_TEST

/* SO_REUSEPORT: four listeners on one address and port share its
 * SYN_RECV (the kernel spreads the SYNs over them, each with its own
 * queue), so their backlogs add up: 8 half-open of 4 x 4 is 50%, not 200%.
 * Listeners on other addresses of the port stay apart (the largest
 * group counts). */
START_TEST(test_syn_recv_reuseport)
{
	struct doctor *d = model(NULL, 0);
	struct sock_rec other = rec4(TCP_STATE_LISTEN, "10.0.0.2", 8080, "0.0.0.0", 0);
	const struct doctor_finding *f;

	for (uint32_t i = 0; i < 4; i++) {
		struct sock_rec l = rec4(TCP_STATE_LISTEN, "10.0.0.1", 8080, "0.0.0.0", 0);

		l.wqueue = 4, l.inode = 10 + i;
		add(d, l, 1);
	}
	other.wqueue = 6, other.inode = 20;
	add(d, other, 1);
	add(d, rec4(TCP_STATE_SYN_RECV, "10.0.0.1", 8080, "10.9.9.9", 50000), 8);
	ck_assert_int_eq(doctor_end(d), 0);
	ck_assert_uint_eq(doctor_nfindings(d), 0);
	ck_assert_uint_eq(doctor_worst(d, DOCTOR_SYN_RECV), 50);
	/* 14 of 16: a warning against the group's 16. */
	doctor_begin(d, doctor_ns(d));
	for (uint32_t i = 0; i < 4; i++) {
		struct sock_rec l = rec4(TCP_STATE_LISTEN, "10.0.0.1", 8080, "0.0.0.0", 0);

		l.wqueue = 4, l.inode = 10 + i;
		add(d, l, 1);
	}
	add(d, rec4(TCP_STATE_SYN_RECV, "10.0.0.1", 8080, "10.9.9.9", 50000), 14);
	ck_assert_int_eq(doctor_end(d), 0);
	ck_assert_uint_eq(doctor_nfindings(d), 1);
	f = doctor_finding(d, 0);
	ck_assert_int_eq(f->check, DOCTOR_SYN_RECV);
	ck_assert_int_eq(f->severity, DOCTOR_WARNING);
	ck_assert_uint_eq(f->value, 14);
	ck_assert_uint_eq(f->limit, 16);
	ck_assert_uint_eq(f->pct, 87);
	doctor_delete(d);
}
END_TEST

/* Orphans: full sockets without inode in FIN_WAIT1, LAST_ACK, CLOSING;
 * the timewait FIN_WAIT2 and sockets a process holds are not. */
START_TEST(test_orphans)
{
	struct doctor_ns ns = { .has_max_orphans = true, .max_orphans = 10 };
	struct doctor_thresholds th;
	struct sock_rec fw1 = rec4(TCP_STATE_FIN_WAIT1, "10.0.0.1", 45000, "10.0.0.9", 80);
	struct sock_rec held = fw1;
	const struct doctor_finding *f;
	struct doctor *d;

	doctor_thresholds_default(&th);
	ck_assert_int_eq(doctor_new(&d, &th), 0);
	doctor_begin(d, &ns);
	fw1.wqueue = 1000;
	held.inode = 5;
	add(d, fw1, 4);
	add(d, rec4(TCP_STATE_LAST_ACK, "10.0.0.1", 80, "10.0.0.9", 50000), 1);
	add(d, rec4(TCP_STATE_FIN_WAIT2, "10.0.0.1", 45001, "10.0.0.9", 80), 3);
	add(d, held, 2);
	ck_assert_int_eq(doctor_end(d), 0);
	ck_assert_uint_eq(doctor_nfindings(d), 1);
	f = doctor_finding(d, 0);
	ck_assert_int_eq(f->check, DOCTOR_ORPHANS);
	ck_assert_int_eq(f->severity, DOCTOR_WARNING);
	ck_assert_uint_eq(f->value, 5);
	ck_assert_uint_eq(f->limit, 10);
	ck_assert_uint_eq(f->pct, 50);
	ck_assert_uint_eq(f->extra, 4);
	doctor_delete(d);

	/* A large limit: 0%, a finding only for a level of 0%. */
	ns.max_orphans = 1000000;
	ck_assert_int_eq(doctor_new(&d, &th), 0);
	doctor_begin(d, &ns);
	add(d, fw1, 1);
	ck_assert_int_eq(doctor_end(d), 0);
	ck_assert_uint_eq(doctor_nfindings(d), 0);
	doctor_delete(d);
	th.warn[DOCTOR_ORPHANS] = 0;
	ck_assert_int_eq(doctor_new(&d, &th), 0);
	doctor_begin(d, &ns);
	add(d, fw1, 1);
	ck_assert_int_eq(doctor_end(d), 0);
	ck_assert_uint_eq(doctor_nfindings(d), 1);
	ck_assert_int_eq(doctor_finding(d, 0)->severity, DOCTOR_WARNING);
	doctor_delete(d);
}
END_TEST

/* The text of @vd rendered by @render into a malloc'd string. */
static char *render(int (*fn)(FILE *, const struct view_doctor *), const struct view_doctor *vd)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fn(f, vd), 0);
	fclose(f);
	return buf;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* With -i, ListenOverflows' growth is the namespace's: said once with the
 * listeners that were full, never once per full listener. */
START_TEST(test_overflow_attribution)
{
	struct doctor *d = model(NULL, 0);
	struct sock_rec a = rec4(TCP_STATE_LISTEN, "127.0.0.1", 8080, "0.0.0.0", 0);
	struct sock_rec b = rec4(TCP_STATE_LISTEN, "127.0.0.1", 8081, "0.0.0.0", 0);
	struct sock_rec at = rec4(TCP_STATE_LISTEN, "127.0.0.1", 8082, "0.0.0.0", 0);
	struct view_doctor vd;
	char line[1024], *text, *json;

	a.rqueue = 5, a.wqueue = 4;
	b.rqueue = 9, b.wqueue = 8;
	at.rqueue = 4, at.wqueue = 4;	/* at its backlog: critical, not yet full */
	add(d, a, 1);
	add(d, b, 1);
	add(d, at, 1);
	ck_assert_int_eq(doctor_end(d), 0);
	ck_assert_uint_eq(doctor_nfindings(d), 3);
	ck_assert_uint_eq(doctor_full_listeners(d), 2);
	vd = (struct view_doctor){ .d = d, .has_delta = true, .overflows_delta = 12,
				   .drops_delta = 13 };
	view_doctor_overflows(&vd, line, sizeof(line));
	ck_assert_str_eq(line, "namespace ListenOverflows +12, ListenDrops +13 since the last "
			 "sample, while 2 listeners were full (listener 127.0.0.1:8080, listener "
			 "127.0.0.1:8081); the kernel does not count them per listener");
	text = render(view_doctor_text, &vd);
	ck_assert_uint_eq(count(text, "+12"), 1);
	ck_assert_uint_eq(count(text, line), 1);
	ck_assert_uint_eq(count(text, "shared by its full listeners"), 3);
	free(text);
	json = render(view_doctor_json, &vd);
	ck_assert_uint_eq(count(json, "+12"), 1);
	ck_assert_ptr_nonnull(strstr(json, ",\"listen_overflows_delta\":12,\"listen_drops_delta\":13,"
				     "\"full_listeners\":2,\"listen_overflows_note\":\"namespace "));
	free(json);
	/* No listener full: said so, none named. */
	doctor_begin(d, doctor_ns(d));
	add(d, at, 1);
	ck_assert_int_eq(doctor_end(d), 0);
	view_doctor_overflows(&vd, line, sizeof(line));
	ck_assert_str_eq(line, "namespace ListenOverflows +12, ListenDrops +13 since the last "
			 "sample, while no listener was full at this sample");
	/* A full listener below the levels asked for is counted, not named. */
	{
		struct doctor_thresholds th;
		struct doctor *d2;

		doctor_thresholds_default(&th);
		th.warn[DOCTOR_ACCEPT_QUEUE] = 200;
		th.crit[DOCTOR_ACCEPT_QUEUE] = 300;
		d2 = model(&th, 0);
		add(d2, a, 1);
		add(d2, b, 1);
		ck_assert_int_eq(doctor_end(d2), 0);
		ck_assert_uint_eq(doctor_nfindings(d2), 0);
		vd.d = d2;
		view_doctor_overflows(&vd, line, sizeof(line));
		ck_assert(strstr(line, "while 2 listeners were full (2 more); the kernel") != NULL);
		doctor_delete(d2);
	}
	/* Without -i: nothing to attribute. */
	vd.d = d;
	vd.has_delta = false;
	view_doctor_overflows(&vd, line, sizeof(line));
	ck_assert_str_eq(line, "");
	doctor_delete(d);
}
END_TEST

/* Owners for the close-wait tests: inodes 1000-1999 are pid 100's,
 * 2000-2999 pid 200's (an escape in its name), 3000-3999 pid 300's,
 * 4000-8999 pids 400-800 ("p"); others are not found. */
static bool lookup_test(void *arg, uint32_t inode, struct doctor_proc *out)
{
	static const struct {
		int pid;
		const char *comm, *cgroup;
	} procs[] = { { 100, "a", "/a" }, { 200, "b\x1b", "/b" }, { 300, "c", "" } };
	size_t k = inode / 1000 - 1;

	(*(int *)arg)++;
	if (inode < 1000 || k >= 8)
		return false;
	if (k >= 3) {
		*out = (struct doctor_proc){ (int)(k + 1) * 100, "p", "" };
		return true;
	}
	*out = (struct doctor_proc){ procs[k].pid, procs[k].comm, procs[k].cgroup };
	return true;
}

static int want_test(void *arg, uint32_t inode, uint32_t uid)
{
	(void)uid;
	(void)inode;
	(*(int *)arg)++;
	return 0;
}

static void add_cw(struct doctor *d, uint16_t port, uint32_t inode0, int n)
{
	for (int i = 0; i < n; i++) {
		struct sock_rec r = rec4(TCP_STATE_CLOSE_WAIT, "10.0.0.1", port, "10.0.0.9",
					 (uint16_t)(50000 + i));

		r.inode = inode0 + (uint32_t)i;
		add(d, r, 1);
	}
}

/* CLOSE_WAIT per port and per owner: a port's finding lists its owners
 * (and those not found); a process whose CLOSE_WAIT over its ports is
 * worse than its port findings say is a finding of its own. */
START_TEST(test_close_wait_owners)
{
	struct doctor *d = model(NULL, 0);
	const uint16_t lports[] = { 7000, 8081, 9001, 9002 };
	const struct doctor_finding *f;
	const struct doctor_part *p;
	struct view_doctor vd;
	int wanted = 0, looked = 0;
	char *text, *json;

	doctor_set_owners(d, true);
	for (size_t i = 0; i < 4; i++) {
		struct sock_rec l = rec4(TCP_STATE_LISTEN, "0.0.0.0", lports[i], "0.0.0.0", 0);

		l.inode = 50 + (uint32_t)i;
		add(d, l, 1);
	}
	add_cw(d, 8081, 1000, 10);	/* pid 100 */
	add_cw(d, 8081, 2000, 4);	/* pid 200 */
	add_cw(d, 8081, 9000, 1);	/* not found */
	add_cw(d, 7000, 1100, 95);	/* pid 100: 105 in all, critical */
	add_cw(d, 9001, 3000, 6);	/* pid 300: 12 over two ports, */
	add_cw(d, 9002, 3100, 6);	/* each below the level */
	ck_assert_int_eq(doctor_end(d), 0);
	ck_assert_uint_eq(doctor_nfindings(d), 2);
	ck_assert_uint_eq(doctor_owners_count(d), 2 + 122);
	ck_assert_int_eq(doctor_owners_want(d, want_test, &wanted), 0);
	ck_assert_int_eq(wanted, 2 + 122);
	ck_assert_int_eq(doctor_owners_apply(d, lookup_test, &looked), 0);
	ck_assert_int_eq(looked, 122);
	ck_assert_uint_eq(doctor_nfindings(d), 4);

	f = doctor_finding(d, 0);
	ck_assert_int_eq(f->check, DOCTOR_CLOSE_WAIT);
	ck_assert_int_eq(f->severity, DOCTOR_CRITICAL);
	ck_assert_int_eq(f->pid, 100);
	ck_assert_uint_eq(f->value, 105);
	ck_assert_uint_eq(f->limit, 100);
	ck_assert_uint_eq(f->nparts, 2);
	ck_assert_uint_eq(f->parts_all, 2);
	p = doctor_finding_parts(d, 0);
	ck_assert_uint_eq(p[0].port, 7000);
	ck_assert_uint_eq(p[0].dir, TABLE_DIR_IN);
	ck_assert_uint_eq(p[0].n, 95);
	ck_assert_uint_eq(p[1].port, 8081);
	ck_assert_uint_eq(p[1].n, 10);
	ck_assert_uint_ge(f->inode, 1000);
	ck_assert_uint_lt(f->inode, 2000);

	/* Warnings by how far past 10: :7000 (95), pid 300 (12)... */
	f = doctor_finding(d, 1);
	ck_assert_int_eq(f->pid, 0);
	ck_assert_uint_eq(f->port, 7000);
	ck_assert_uint_eq(f->nparts, 1);
	ck_assert_int_eq(doctor_finding_parts(d, 1)[0].pid, 100);
	/* ... :8081 (15) before pid 300 (12). */
	f = doctor_finding(d, 2);
	ck_assert_uint_eq(f->port, 8081);
	ck_assert_uint_eq(f->value, 15);
	ck_assert_uint_eq(f->nparts, 2);
	ck_assert_uint_eq(f->parts_unknown, 1);
	ck_assert_uint_eq(f->parts_other, 0);
	p = doctor_finding_parts(d, 2);
	ck_assert_int_eq(p[0].pid, 100);
	ck_assert_uint_eq(p[0].n, 10);
	ck_assert_str_eq(p[0].comm, "a");
	ck_assert_str_eq(p[0].cgroup, "/a");
	ck_assert_int_eq(p[1].pid, 200);
	ck_assert_uint_eq(p[1].n, 4);
	/* Its head line names the largest owner. */
	ck_assert_uint_ge(f->inode, 1000);
	ck_assert_uint_lt(f->inode, 2000);
	f = doctor_finding(d, 3);
	ck_assert_int_eq(f->severity, DOCTOR_WARNING);
	ck_assert_int_eq(f->pid, 300);
	ck_assert_uint_eq(f->value, 12);
	ck_assert_uint_eq(f->limit, 10);
	p = doctor_finding_parts(d, 3);
	ck_assert_uint_eq(p[0].port, 9001);
	ck_assert_uint_eq(p[1].port, 9002);
	ck_assert_uint_eq(p[1].n, 6);

	vd = (struct view_doctor){ .d = d };
	text = render(view_doctor_text, &vd);
	ck_assert_ptr_nonnull(strstr(text, "\nCRITICAL  close-wait    pid 100: 105 CLOSE_WAIT over 2 ports, more than 100\n"
				     "                        ports: :7000 in 95, :8081 in 10\n"
				     "                        why: the peer closed and this process never called close(), on several ports"));
	ck_assert_ptr_nonnull(strstr(text, "\nWARNING   close-wait    :8081 in: 15 CLOSE_WAIT, more than 10\n"
				     "                        owners: a[100] 10 (cgroup /a), b\\x1b[200] 4 (cgroup /b), 1 whose owner was not found\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nWARNING   close-wait    pid 300: 12 CLOSE_WAIT over 2 ports, more than 10\n"
				     "                        ports: :9001 in 6, :9002 in 6\n"));
	ck_assert_ptr_null(strchr(text, '\x1b'));
	free(text);
	json = render(view_doctor_json, &vd);
	ck_assert_ptr_nonnull(strstr(json, "\"where\":\":8081 in\",\"port\":8081,\"direction\":\"in\",\"value\":15,\"limit\":10,"
				     "\"owners\":[{\"process\":\"a[100]\",\"pid\":100,\"comm\":\"a\",\"cgroup\":\"/a\",\"count\":10},"
				     "{\"process\":\"b\\u001b[200]\",\"pid\":200,\"comm\":\"b\\u001b\",\"cgroup\":\"/b\",\"count\":4}],"
				     "\"owners_other\":0,\"owners_unknown\":1,"));
	ck_assert_ptr_nonnull(strstr(json, "\"where\":\"pid 300\",\"port\":0,\"direction\":\"in\",\"value\":12,\"limit\":10,"
				     "\"pid\":300,\"ports\":[{\"port\":9001,\"direction\":\"in\",\"count\":6},"
				     "{\"port\":9002,\"direction\":\"in\",\"count\":6}],\"ports_other\":0,"));
	free(json);

	/* More owners than listed: the rest summed. */
	doctor_begin(d, doctor_ns(d));
	add(d, rec4(TCP_STATE_LISTEN, "0.0.0.0", 8081, "0.0.0.0", 0), 1);
	for (uint32_t k = 0; k < 3; k++)
		add_cw(d, 8081, 1000 * (k + 1), 4);
	ck_assert_int_eq(doctor_end(d), 0);
	ck_assert_int_eq(doctor_owners_apply(d, lookup_test, &looked), 0);
	ck_assert_uint_eq(doctor_nfindings(d), 1);
	ck_assert_uint_eq(doctor_finding(d, 0)->nparts, 3);
	ck_assert_uint_eq(doctor_finding(d, 0)->parts_other, 0);
	doctor_delete(d);

	/* Owners not kept (the dashboard): no breakdown, no finding per
	 * owner, nothing kept per socket. */
	d = model(NULL, 0);
	add(d, rec4(TCP_STATE_LISTEN, "0.0.0.0", 9001, "0.0.0.0", 0), 1);
	add(d, rec4(TCP_STATE_LISTEN, "0.0.0.0", 9002, "0.0.0.0", 0), 1);
	add_cw(d, 9001, 3000, 6);
	add_cw(d, 9002, 3100, 6);
	ck_assert_int_eq(doctor_end(d), 0);
	ck_assert_uint_eq(doctor_owners_count(d), 0);
	ck_assert_int_eq(doctor_owners_apply(d, lookup_test, &looked), 0);
	ck_assert_uint_eq(doctor_nfindings(d), 0);
	doctor_delete(d);
}
END_TEST

/* More than DOCTOR_PARTS_MAX owners: the largest listed, the rest summed. */
/* Held CLOSE_WAIT sockets no more than the warning level can make no
 * close-wait finding, of a port or of an owner: their owners are not
 * looked up (that look-up walks every fd of the host). */
START_TEST(test_close_wait_owners_skipped)
{
	struct doctor *d = model(NULL, 0);
	struct sock_rec l = rec4(TCP_STATE_LISTEN, "0.0.0.0", 8081, "0.0.0.0", 0);
	int wanted = 0, looked = 0;

	doctor_set_owners(d, true);
	l.inode = 50;
	add(d, l, 1);
	add_cw(d, 8081, 1000, 6);
	add_cw(d, 8081, 2000, 4);	/* 10 in all: the level, not more */
	ck_assert_int_eq(doctor_end(d), 0);
	ck_assert_uint_eq(doctor_nfindings(d), 0);
	ck_assert_uint_eq(doctor_owners_count(d), 0);
	ck_assert_int_eq(doctor_owners_want(d, want_test, &wanted), 0);
	ck_assert_int_eq(wanted, 0);
	ck_assert_int_eq(doctor_owners_apply(d, lookup_test, &looked), 0);
	ck_assert_int_eq(looked, 0);
	ck_assert_uint_eq(doctor_nfindings(d), 0);
	/* One more and an owner could be over the level: all are wanted. */
	doctor_delete(d);
	d = model(NULL, 0);
	doctor_set_owners(d, true);
	add(d, l, 1);
	add_cw(d, 8081, 1000, 6);
	add_cw(d, 9000, 2000, 5);
	ck_assert_int_eq(doctor_end(d), 0);
	ck_assert_uint_eq(doctor_nfindings(d), 0);
	ck_assert_uint_eq(doctor_owners_count(d), 11);
	doctor_delete(d);
}
END_TEST

START_TEST(test_close_wait_owners_cut)
{
	struct doctor *d = model(NULL, 0);
	const struct doctor_finding *f;
	int looked = 0;
	char *text;
	struct view_doctor vd;

	doctor_set_owners(d, true);
	add(d, rec4(TCP_STATE_LISTEN, "0.0.0.0", 8081, "0.0.0.0", 0), 1);
	/* 8 processes holding 8, 7, ..., 1 sockets, and 2 not found. */
	for (int k = 0; k < 8; k++)
		add_cw(d, 8081, 1000 * (uint32_t)(k + 1), 8 - k);
	add_cw(d, 8081, 9000, 2);
	ck_assert_int_eq(doctor_end(d), 0);
	ck_assert_int_eq(doctor_owners_apply(d, lookup_test, &looked), 0);
	ck_assert_uint_eq(doctor_nfindings(d), 1);
	f = doctor_finding(d, 0);
	ck_assert_uint_eq(f->value, 38);
	ck_assert_uint_eq(f->nparts, DOCTOR_PARTS_MAX);
	ck_assert_uint_eq(f->parts_all, 8);
	ck_assert_uint_eq(f->parts_other, 3 + 2 + 1);
	ck_assert_uint_eq(f->parts_unknown, 2);
	vd = (struct view_doctor){ .d = d };
	text = render(view_doctor_text, &vd);
	ck_assert_ptr_nonnull(strstr(text, "owners: a[100] 8 (cgroup /a), b\\x1b[200] 7 (cgroup /b), c[300] 6, p[400] 5, p[500] 4, "
				     "6 more in 3 others, 2 whose owner was not found\n"));
	free(text);
	doctor_delete(d);
}
END_TEST

/* A split sample: listeners to the whole, the other sockets dealt to two
 * shares begun from it and merged back give the findings of one model
 * fed everything. */
START_TEST(test_share_merge)
{
	struct doctor *one = model(NULL, 0), *whole = model(NULL, 0), *share = NULL, *share2 = NULL;
	struct doctor_thresholds th;
	struct sock_rec l = rec4(TCP_STATE_LISTEN, "127.0.0.1", 8081, "0.0.0.0", 0);
	struct sock_rec s4 = rec4(TCP_STATE_LISTEN, "127.0.0.1", 8080, "0.0.0.0", 0);
	struct doctor *shares[2];
	int k = 0;

	doctor_thresholds_default(&th);
	ck_assert_int_eq(doctor_new(&share, &th), 0);
	ck_assert_int_eq(doctor_new(&share2, &th), 0);
	shares[0] = share;
	shares[1] = share2;
	doctor_set_owners(one, true);
	doctor_set_owners(whole, true);
	s4.wqueue = 4;
	l.wqueue = 128;
	add(one, l, 1);
	add(one, s4, 1);
	add(whole, l, 1);
	add(whole, s4, 1);
	ck_assert_int_eq(doctor_share_begin(share, whole), 0);
	ck_assert_int_eq(doctor_share_begin(share2, whole), 0);
	/* 70 of 100 ephemeral ports toward one destination, 15 CLOSE_WAIT on
	 * 8081 (a listening port: inbound), 12 FIN_WAIT2 toward a peer, 5
	 * SYN_RECV on 8080 (backlog 4), 1001 server TIME_WAIT on 8081. */
	for (int i = 0; i < 70; i++) {
		struct sock_rec r = rec4(i < 30 ? TCP_STATE_TIME_WAIT : TCP_STATE_ESTABLISHED,
					 "10.0.0.1", (uint16_t)(40000 + i), "10.0.0.2", 5432);

		add(one, r, 1);
		add(shares[k++ % 2], r, 1);
	}
	for (int i = 0; i < 15; i++) {
		struct sock_rec r = rec4(TCP_STATE_CLOSE_WAIT, "127.0.0.1", 8081, "10.0.0.9",
					 (uint16_t)(50000 + i));

		r.inode = 1000 + (uint32_t)i;
		add(one, r, 1);
		add(shares[k++ % 2], r, 1);
	}
	for (int i = 0; i < 12; i++) {
		struct sock_rec r = rec4(TCP_STATE_FIN_WAIT2, "10.0.0.1", (uint16_t)(45000 + i),
					 "10.0.0.7", 80);

		add(one, r, 1);
		add(shares[k++ % 2], r, 1);
	}
	for (int i = 0; i < 5; i++) {
		struct sock_rec r = rec4(TCP_STATE_SYN_RECV, "127.0.0.1", 8080, "10.9.9.9",
					 (uint16_t)(50000 + i));

		add(one, r, 1);
		add(shares[k++ % 2], r, 1);
	}
	for (int i = 0; i < 1001; i++) {
		struct sock_rec r = rec4(TCP_STATE_TIME_WAIT, "127.0.0.1", 8081, "10.0.0.9",
					 (uint16_t)(20000 + i));

		add(one, r, 1);
		add(shares[k++ % 2], r, 1);
	}
	ck_assert_int_eq(doctor_merge(whole, share), 0);
	ck_assert_int_eq(doctor_merge(whole, share2), 0);
	ck_assert_int_eq(doctor_end(one), 0);
	ck_assert_int_eq(doctor_end(whole), 0);
	ck_assert_uint_eq(doctor_nfindings(one), 5);
	ck_assert_uint_eq(doctor_nfindings(whole), doctor_nfindings(one));
	for (size_t i = 0; i < doctor_nfindings(one); i++) {
		const struct doctor_finding *a = doctor_finding(one, i), *b = doctor_finding(whole, i);

		ck_assert_int_eq(a->check, b->check);
		ck_assert_int_eq(a->severity, b->severity);
		ck_assert_uint_eq(a->port, b->port);
		ck_assert_uint_eq(a->value, b->value);
		ck_assert_uint_eq(a->limit, b->limit);
		ck_assert_uint_eq(a->extra, b->extra);
	}
	for (int c = 0; c < DOCTOR_NCHECKS; c++) {
		ck_assert_uint_eq(doctor_worst(one, c), doctor_worst(whole, c));
		ck_assert_uint_eq(doctor_examined(one, c), doctor_examined(whole, c));
	}
	ck_assert_uint_eq(doctor_owners_count(whole), doctor_owners_count(one));
	doctor_delete(one);
	doctor_delete(whole);
	doctor_delete(share);
	doctor_delete(share2);
}
END_TEST

static Suite *doctor_suite(void)
{
	Suite *s = suite_create("doctor");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_threshold_parse);
	tcase_add_loop_test(tc, test_threshold_bad, 0,
			    (int)(sizeof(bad_thresholds) / sizeof(bad_thresholds[0])));
	tcase_add_test(tc, test_cli);
	tcase_add_test(tc, test_cli_bad);
	tcase_add_test(tc, test_netstat);
	tcase_add_test(tc, test_netstat_bad);
	tcase_add_test(tc, test_reserved);
	suite_add_tcase(s, tc);
	tc = tcase_create("checks");
	tcase_add_test(tc, test_checks);
	tcase_add_test(tc, test_tw_reuse);
	tcase_add_test(tc, test_levels);
	tcase_add_test(tc, test_tw_fin_wait2);
	tcase_add_test(tc, test_syn_recv);
	tcase_add_test(tc, test_syn_recv_reuseport);
	tcase_add_test(tc, test_orphans);
	tcase_add_test(tc, test_overflow_attribution);
	tcase_add_test(tc, test_close_wait_owners);
	tcase_add_test(tc, test_close_wait_owners_skipped);
	tcase_add_test(tc, test_close_wait_owners_cut);
	tcase_add_test(tc, test_share_merge);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(doctor_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
