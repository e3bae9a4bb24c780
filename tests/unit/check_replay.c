/* SPDX-License-Identifier: MIT */
/*
 * check_replay: the recording reader (recfile) and the collector in replay
 * mode, driven through sampler_run() as portstat runs it.  Recordings are
 * written by hand into a temporary directory: a small valid one (exact
 * counts and time, with each filter), then damaged variants, each of which
 * must fail with a clear message and never yield a table marked complete;
 * an interrupted dump, which yields a partial table marked as such;
 * several samples in order, then -ENODATA; the ephemeral range each
 * sample carries (or not, in older recordings) and a live recording's;
 * collector_dump() on its own
 * (state mask, callback errors); recfile's block reader and writer; and
 * the committed real recording, cross-checked against ss's view of it.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <libmnl/libmnl.h>

#include <check.h>

#include "collector.h"
#include "diag.h"
#include "doctor.h"
#include "kctx.h"
#include "recfile.h"
#include "sampler.h"
#include "table.h"
#include "tcp_state.h"

#define B(s)		TCP_STATE_BIT(TCP_STATE_##s)
#define ALL		TCP_STATE_ALL_MASK
#define IN		TABLE_DIR_IN
#define OUT		TABLE_DIR_OUT
/* What a live dump's messages carry; a replay must ignore both. */
#define REC_SEQ		7
#define REC_PORTID	4242

static char tmpdir[PATH_MAX];

static void path_of(char *buf, size_t len, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", tmpdir, name);

	ck_assert(n > 0 && (size_t)n < len);
}

/* ---- netlink datagrams ---- */

struct dgram {
	union {
		char b[16384];
		struct nlmsghdr align;
	} u;
	size_t len;
};

static void dgram_init(struct dgram *d)
{
	memset(d, 0, sizeof(*d));
}

static struct nlmsghdr *dgram_msg(struct dgram *d, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(d->u.b + d->len);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_MULTI | flags;
	nlh->nlmsg_seq = REC_SEQ;
	nlh->nlmsg_pid = REC_PORTID;
	return nlh;
}

static void dgram_end_msg(struct dgram *d, const struct nlmsghdr *nlh)
{
	d->len += nlh->nlmsg_len;
	ck_assert_uint_lt(d->len, sizeof(d->u.b) - 256);
}

enum { NO_V6ONLY = -1 };

/* One socket message; @v6only: 0 or 1 adds INET_DIAG_SKV6ONLY. */
static void dgram_sock_flags(struct dgram *d, int family, int state, uint16_t sport,
			     uint16_t dport, int v6only, uint16_t flags)
{
	struct nlmsghdr *nlh = dgram_msg(d, SOCK_DIAG_BY_FAMILY, flags);
	struct inet_diag_msg *m = mnl_nlmsg_put_extra_header(nlh, sizeof(*m));

	m->idiag_family = (uint8_t)family;
	m->idiag_state = (uint8_t)state;
	m->id.idiag_sport = htons(sport);
	m->id.idiag_dport = htons(dport);
	inet_pton(family, family == AF_INET ? "127.0.0.1" : "::1", m->id.idiag_src);
	if (dport)
		inet_pton(family, family == AF_INET ? "127.0.0.2" : "::2", m->id.idiag_dst);
	m->idiag_inode = state == TCP_STATE_TIME_WAIT ? 0 : 1000u + sport;
	if (v6only != NO_V6ONLY)
		mnl_attr_put_u8(nlh, INET_DIAG_SKV6ONLY, (uint8_t)v6only);
	dgram_end_msg(d, nlh);
}

static void dgram_sock(struct dgram *d, int family, int state, uint16_t sport, uint16_t dport)
{
	dgram_sock_flags(d, family, state, sport, dport,
			 family == AF_INET6 && state == TCP_STATE_LISTEN ? 0 : NO_V6ONLY, 0);
}

/* NLMSG_DONE carries the dump's error code as an int. */
static void dgram_done(struct dgram *d, int err)
{
	struct nlmsghdr *nlh = dgram_msg(d, NLMSG_DONE, 0);
	int *p = mnl_nlmsg_put_extra_header(nlh, sizeof(int));

	*p = err;
	dgram_end_msg(d, nlh);
}

/* What the kernel sends instead of a dump it cannot start. */
static void dgram_error(struct dgram *d, int err)
{
	struct nlmsghdr *nlh = dgram_msg(d, NLMSG_ERROR, 0);
	struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));

	nlh->nlmsg_flags = 0;
	e->error = err;
	e->msg.nlmsg_len = MNL_NLMSG_HDRLEN + sizeof(struct inet_diag_req_v2);
	e->msg.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	e->msg.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	e->msg.nlmsg_seq = REC_SEQ;
	dgram_end_msg(d, nlh);
}

/* ---- recordings ---- */

struct rec {
	struct recfile *f;
	char path[PATH_MAX];
};

static void rec_create(struct rec *r, const char *name)
{
	char err[512] = "";

	path_of(r->path, sizeof(r->path), name);
	ck_assert_msg(recfile_create(&r->f, r->path, err, sizeof(err)) == 0, "%s", err);
}

static void rec_block(struct rec *r, uint32_t type, const void *p, uint32_t len)
{
	ck_assert_int_eq(recfile_write(r->f, type, p, len), 0);
}

static void rec_sample(struct rec *r, int64_t sec, int64_t nsec)
{
	struct recfile_sample s = { .sec = sec, .nsec = nsec };

	rec_block(r, RECFILE_SAMPLE, &s, sizeof(s));
}

/* A sample header as portstat writes it since it records the namespace's
 * ephemeral range (rec_sample() writes the older, shorter one). */
static void rec_sample_ports(struct rec *r, int64_t sec, uint16_t lo, uint16_t hi)
{
	struct {
		struct recfile_sample s;
		struct recfile_ports p;
	} b = { .s = { .sec = sec }, .p = { .lo = lo, .hi = hi } };

	rec_block(r, RECFILE_SAMPLE, &b, sizeof(b));
}

static void rec_dump(struct rec *r, int family, uint32_t states)
{
	struct recfile_dump rd = { .family = (uint8_t)family, .protocol = IPPROTO_TCP,
				   .states = states };

	rec_block(r, RECFILE_DUMP, &rd, sizeof(rd));
}

static void rec_data(struct rec *r, const struct dgram *d)
{
	rec_block(r, RECFILE_DATA, d->u.b, (uint32_t)d->len);
}

static void rec_done(struct rec *r)
{
	struct dgram d;

	dgram_init(&d);
	dgram_done(&d, 0);
	rec_data(r, &d);
}

static void rec_close(struct rec *r)
{
	ck_assert_int_eq(recfile_close(r->f), 0);
	r->f = NULL;
}

static void append_raw(const char *path, const void *p, size_t len)
{
	FILE *fp = fopen(path, "ab");

	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(p, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
}

static void write_raw(const char *path, const void *p, size_t len)
{
	FILE *fp = fopen(path, "wb");

	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(p, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
}

/*
 * The reference sample, as a live run with the default filter records it:
 *   IPv6 dump: listener [::]:80 (dual-stack), [::1]:80 <- 50000 established
 *   IPv4 dump: listener :22, :22 <- 40000 established, :22 <- 40001 request
 *              socket (NEW_SYN_RECV), :80 <- 50001 established (the
 *              dual-stack listener's), :41000 -> 5432 close_wait,
 *              :41001 -> 5432 time_wait
 * Expected by service: 80 in {listen 1, established 2}, 22 in {listen 1,
 * established 1, syn_recv 1}, 5432 out {close_wait 1, time_wait 1}.
 */
static void rec_good_sample(struct rec *r, int64_t sec, int64_t nsec)
{
	struct dgram d;

	rec_sample(r, sec, nsec);
	rec_dump(r, AF_INET6, ALL);
	dgram_init(&d);
	dgram_sock(&d, AF_INET6, TCP_STATE_LISTEN, 80, 0);
	dgram_sock(&d, AF_INET6, TCP_STATE_ESTABLISHED, 80, 50000);
	rec_data(r, &d);
	rec_done(r);

	rec_dump(r, AF_INET, ALL);
	dgram_init(&d);
	dgram_sock(&d, AF_INET, TCP_STATE_LISTEN, 22, 0);
	dgram_sock(&d, AF_INET, TCP_STATE_ESTABLISHED, 22, 40000);
	dgram_sock(&d, AF_INET, TCP_STATE_NEW_SYN_RECV, 22, 40001);
	dgram_sock(&d, AF_INET, TCP_STATE_ESTABLISHED, 80, 50001);
	dgram_sock(&d, AF_INET, TCP_STATE_CLOSE_WAIT, 41000, 5432);
	dgram_sock(&d, AF_INET, TCP_STATE_TIME_WAIT, 41001, 5432);
	dgram_done(&d, 0);
	rec_data(r, &d);
}

/* ---- replaying ---- */

static struct collector *open_replay(const char *path)
{
	struct collector *c = NULL;
	char err[512] = "";

	ck_assert_msg(collector_open_replay(&c, path, err, sizeof(err)) == 0, "%s", err);
	ck_assert(collector_is_replay(c));
	return c;
}

static struct table_filter filter_all(void)
{
	struct table_filter f;

	memset(&f, 0, sizeof(f));
	f.by = TABLE_BY_SERVICE;
	f.states = ALL;
	f.ipv4 = f.ipv6 = true;
	return f;
}

static const struct table_row *find(const struct table *t, uint16_t port, enum table_dir dir)
{
	for (size_t i = 0; i < table_nrows(t); i++) {
		const struct table_row *r = table_row(t, i);

		if (r->port == port && r->dir == dir)
			return r;
	}
	return NULL;
}

#define expect_row(t_, port_, dir_, state_, n_) do {						\
	const struct table_row *r_ = find((t_), (port_), (dir_));				\
	ck_assert_msg(r_ != NULL, "no row %u %s", (port_), (dir_) == IN ? "in" : "out");	\
	ck_assert_msg(r_->n[(state_)] == (n_), "row %u: %s = %u, expected %u", (port_),		\
		      tcp_state_name(state_), r_->n[(state_)], (unsigned)(n_));			\
} while (0)

static void expect_good_sample(const struct table *t)
{
	ck_assert_uint_eq(table_nrows(t), 3);
	expect_row(t, 80, IN, TCP_STATE_LISTEN, 1);
	expect_row(t, 80, IN, TCP_STATE_ESTABLISHED, 2);
	expect_row(t, 22, IN, TCP_STATE_LISTEN, 1);
	expect_row(t, 22, IN, TCP_STATE_ESTABLISHED, 1);
	expect_row(t, 22, IN, TCP_STATE_SYN_RECV, 1);
	expect_row(t, 5432, OUT, TCP_STATE_CLOSE_WAIT, 1);
	expect_row(t, 5432, OUT, TCP_STATE_TIME_WAIT, 1);
	ck_assert_uint_eq(find(t, 80, IN)->total, 3);
	ck_assert_uint_eq(find(t, 22, IN)->total, 3);
	ck_assert_uint_eq(find(t, 5432, OUT)->total, 2);
	ck_assert_uint_eq(table_total(t), 8);
	ck_assert_uint_eq(table_state_total(t, TCP_STATE_ESTABLISHED), 3);
	ck_assert_uint_eq(table_state_total(t, TCP_STATE_LISTEN), 2);
}

START_TEST(test_good_sample)
{
	struct rec r;
	struct collector *c;
	struct table_filter f = filter_all();
	struct table *t = table_new(&f);
	struct sampler_info info;

	rec_create(&r, "good.rec");
	rec_good_sample(&r, 1700000000, 123456789);
	rec_close(&r);

	c = open_replay(r.path);
	ck_assert_msg(sampler_run(c, t, &info) == 0, "%s", collector_error(c));
	ck_assert(info.complete);
	ck_assert_uint_eq(info.attempts, 1);
	ck_assert_int_eq(info.time.tv_sec, 1700000000);
	ck_assert_int_eq(info.time.tv_nsec, 123456789);
	expect_good_sample(t);
	ck_assert_int_eq(sampler_run(c, t, &info), -ENODATA);
	ck_assert(!info.complete);
	collector_close(c);
	table_delete(t);
}
END_TEST

/* The reference sample through each filter: dumps a replay skips and
 * states it filters must not change what the rest counts. */
START_TEST(test_good_sample_filtered)
{
	struct rec r;
	struct collector *c;
	struct table_filter f = filter_all();
	struct table *t;
	struct sampler_info info;
	char name[32];

	snprintf(name, sizeof(name), "filtered%d.rec", _i);
	rec_create(&r, name);
	rec_good_sample(&r, 1700000000, 0);
	rec_close(&r);

	switch (_i) {
	case 0:
		f.ipv6 = false;
		break;
	case 1:
		f.ipv4 = false;
		break;
	case 2:
		f.states = B(CLOSE_WAIT);
		break;
	}
	t = table_new(&f);
	c = open_replay(r.path);
	ck_assert_msg(sampler_run(c, t, &info) == 0, "%s", collector_error(c));
	ck_assert(info.complete);
	switch (_i) {
	case 0:	/* -4: the uncounted IPv6 listener still makes IPv4 :80 inbound */
		ck_assert_uint_eq(table_nrows(t), 3);
		expect_row(t, 80, IN, TCP_STATE_ESTABLISHED, 1);
		expect_row(t, 80, IN, TCP_STATE_LISTEN, 0);
		expect_row(t, 22, IN, TCP_STATE_SYN_RECV, 1);
		ck_assert_uint_eq(table_total(t), 6);
		break;
	case 1:	/* -6: the IPv4 dump is not even read */
		ck_assert_uint_eq(table_nrows(t), 1);
		expect_row(t, 80, IN, TCP_STATE_LISTEN, 1);
		expect_row(t, 80, IN, TCP_STATE_ESTABLISHED, 1);
		ck_assert_uint_eq(table_total(t), 2);
		break;
	case 2:	/* -s close-wait */
		ck_assert_uint_eq(table_nrows(t), 1);
		expect_row(t, 5432, OUT, TCP_STATE_CLOSE_WAIT, 1);
		ck_assert_uint_eq(table_total(t), 1);
		break;
	}
	/* the rest of the sample is skipped, not taken for another one */
	ck_assert_int_eq(sampler_run(c, t, &info), -ENODATA);
	collector_close(c);
	table_delete(t);
}
END_TEST

START_TEST(test_samples_in_order)
{
	struct rec r;
	struct collector *c;
	struct table_filter f = filter_all();
	struct table *t = table_new(&f);
	struct sampler_info info;
	struct dgram d;

	rec_create(&r, "two.rec");
	rec_good_sample(&r, 1700000000, 5);
	/* a second, different sample: one IPv4 listener and two clients */
	rec_sample(&r, 1700000060, 999999999);
	rec_dump(&r, AF_INET6, ALL);
	rec_done(&r);
	rec_dump(&r, AF_INET, ALL);
	dgram_init(&d);
	dgram_sock(&d, AF_INET, TCP_STATE_LISTEN, 443, 0);
	rec_data(&r, &d);
	dgram_init(&d);
	dgram_sock(&d, AF_INET, TCP_STATE_ESTABLISHED, 443, 60000);
	dgram_sock(&d, AF_INET, TCP_STATE_ESTABLISHED, 443, 60001);
	rec_data(&r, &d);
	rec_done(&r);
	rec_close(&r);

	c = open_replay(r.path);
	ck_assert_msg(sampler_run(c, t, &info) == 0, "%s", collector_error(c));
	ck_assert(info.complete);
	ck_assert_int_eq(info.time.tv_sec, 1700000000);
	ck_assert_int_eq(info.time.tv_nsec, 5);
	expect_good_sample(t);

	ck_assert_msg(sampler_run(c, t, &info) == 0, "%s", collector_error(c));
	ck_assert(info.complete);
	ck_assert_int_eq(info.time.tv_sec, 1700000060);
	ck_assert_int_eq(info.time.tv_nsec, 999999999);
	ck_assert_uint_eq(table_nrows(t), 1);
	expect_row(t, 443, IN, TCP_STATE_LISTEN, 1);
	expect_row(t, 443, IN, TCP_STATE_ESTABLISHED, 2);
	ck_assert_uint_eq(table_total(t), 3);

	ck_assert_int_eq(sampler_run(c, t, &info), -ENODATA);
	ck_assert_int_eq(sampler_run(c, t, &info), -ENODATA);
	collector_close(c);
	table_delete(t);
}
END_TEST

START_TEST(test_no_samples)
{
	struct rec r;
	struct collector *c;
	struct table_filter f = filter_all();
	struct table *t = table_new(&f);
	struct sampler_info info;

	rec_create(&r, "empty-recording.rec");
	rec_close(&r);
	c = open_replay(r.path);
	ck_assert_int_eq(sampler_run(c, t, &info), -ENODATA);
	ck_assert(!info.complete);
	ck_assert_uint_eq(table_nrows(t), 0);
	collector_close(c);
	table_delete(t);
}
END_TEST

START_TEST(test_interrupted_dump)
{
	struct rec r;
	struct collector *c;
	struct table_filter f = filter_all();
	struct table *t = table_new(&f);
	struct sampler_info info;
	struct dgram d;

	rec_create(&r, "intr.rec");
	rec_sample(&r, 1700000000, 0);
	rec_dump(&r, AF_INET6, ALL);
	dgram_init(&d);
	dgram_sock(&d, AF_INET6, TCP_STATE_LISTEN, 80, 0);
	rec_data(&r, &d);
	dgram_init(&d);
	dgram_sock_flags(&d, AF_INET6, TCP_STATE_ESTABLISHED, 80, 50000, NO_V6ONLY,
			 NLM_F_DUMP_INTR);
	dgram_done(&d, 0);
	rec_data(&r, &d);
	/* the rest of the interrupted sample, then a whole one */
	rec_dump(&r, AF_INET, ALL);
	rec_done(&r);
	rec_good_sample(&r, 1700000001, 0);
	rec_close(&r);

	c = open_replay(r.path);
	/* a table is shown, marked partial, with what was counted */
	ck_assert_int_eq(sampler_run(c, t, &info), 0);
	ck_assert(!info.complete);
	ck_assert_msg(strstr(info.note, "interrupted") != NULL, "note: %s", info.note);
	ck_assert_uint_eq(info.attempts, 1);	/* a replay cannot retry */
	ck_assert_int_eq(info.time.tv_sec, 1700000000);
	ck_assert_uint_eq(table_total(t), 1);
	expect_row(t, 80, IN, TCP_STATE_LISTEN, 1);

	ck_assert_msg(sampler_run(c, t, &info) == 0, "%s", collector_error(c));
	ck_assert(info.complete);
	ck_assert_int_eq(info.time.tv_sec, 1700000001);
	expect_good_sample(t);
	ck_assert_int_eq(sampler_run(c, t, &info), -ENODATA);
	collector_close(c);
	table_delete(t);
}
END_TEST

/* What a live run with -6 records: the IPv4 dump is never asked for, so
 * replaying it with -6 must not ask for one either. */
START_TEST(test_ipv6_only_recording)
{
	struct rec r;
	struct collector *c;
	struct table_filter f = filter_all();
	struct table *t;
	struct sampler_info info;
	struct dgram d;

	rec_create(&r, "v6only-run.rec");
	rec_sample(&r, 1700000000, 0);
	rec_dump(&r, AF_INET6, ALL);
	dgram_init(&d);
	dgram_sock(&d, AF_INET6, TCP_STATE_LISTEN, 443, 0);
	dgram_sock(&d, AF_INET6, TCP_STATE_ESTABLISHED, 443, 50000);
	dgram_done(&d, 0);
	rec_data(&r, &d);
	rec_close(&r);

	f.ipv4 = false;
	t = table_new(&f);
	c = open_replay(r.path);
	ck_assert_msg(sampler_run(c, t, &info) == 0, "%s", collector_error(c));
	ck_assert(info.complete);
	ck_assert_uint_eq(table_total(t), 2);
	expect_row(t, 443, IN, TCP_STATE_ESTABLISHED, 1);
	ck_assert_int_eq(sampler_run(c, t, &info), -ENODATA);
	collector_close(c);
	table_delete(t);
}
END_TEST

struct seen {
	unsigned n;
	uint32_t states;	/* TCP_STATE_BIT()s of the sockets delivered */
};

static int seen_cb(const struct sock_rec *rec, void *data)
{
	struct seen *s = data;

	s->n++;
	s->states |= TCP_STATE_BIT(rec->state);
	return 0;
}

static int fail_cb(const struct sock_rec *rec, void *data)
{
	(void)rec;
	(void)data;
	return -ECANCELED;
}

/* collector_dump() directly: a replay serves a narrower request from a
 * wider recording, delivering only the states asked for, and a callback's
 * error ends the dump with that error. */
START_TEST(test_dump_states_and_callback)
{
	struct rec r;
	struct collector *c;
	struct timespec when;
	struct seen s = { 0, 0 };

	rec_create(&r, "dump-api.rec");
	rec_good_sample(&r, 1700000000, 0);
	rec_good_sample(&r, 1700000001, 0);
	rec_close(&r);

	c = open_replay(r.path);
	ck_assert_int_eq(collector_sample_begin(c, &when), 0);
	ck_assert_int_eq(when.tv_sec, 1700000000);
	ck_assert_int_eq(collector_dump(c, AF_INET6, TCP_STATE_BIT(TCP_STATE_LISTEN),
					seen_cb, &s), 0);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_uint_eq(s.states, B(LISTEN));
	s = (struct seen){ 0, 0 };
	ck_assert_int_eq(collector_dump(c, AF_INET, B(SYN_RECV) | B(TIME_WAIT), seen_cb, &s), 0);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_uint_eq(s.states, B(SYN_RECV) | B(TIME_WAIT));
	ck_assert_int_eq(collector_sample_end(c), 0);

	ck_assert_int_eq(collector_sample_begin(c, &when), 0);
	ck_assert_int_eq(when.tv_sec, 1700000001);
	ck_assert_int_eq(collector_dump(c, AF_INET6, ALL, fail_cb, NULL), -ECANCELED);
	ck_assert_int_eq(collector_dump(c, AF_UNIX, ALL, seen_cb, &s), -EAFNOSUPPORT);
	collector_close(c);
}
END_TEST

/* ---- a real kernel's bytes ---- */

#define NPORTS	65536u

/* Count the sockets of an `ss -tan` listing by (local port, state). */
static unsigned ss_count(const char *path, uint16_t (*by_port)[TCP_STATE_MAX + 1])
{
	FILE *fp = fopen(path, "r");
	char line[512], label[32], local[128];
	unsigned n = 0;

	ck_assert_msg(fp != NULL, "cannot open %s", path);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), fp));	/* header */
	while (fgets(line, sizeof(line), fp)) {
		const char *colon;
		int st = 0;
		unsigned long port;

		ck_assert_int_eq(sscanf(line, "%31s %*s %*s %127s", label, local), 2);
		for (int s = TCP_STATE_ESTABLISHED; s <= TCP_STATE_MAX && !st; s++)
			if (strcmp(tcp_state_label((enum tcp_state)s), label) == 0)
				st = s;
		ck_assert_msg(st != 0, "%s: unknown state %s", path, label);
		colon = strrchr(local, ':');
		ck_assert_ptr_nonnull(colon);
		port = strtoul(colon + 1, NULL, 10);
		ck_assert_uint_lt(port, NPORTS);
		by_port[port][st]++;
		n++;
	}
	fclose(fp);
	return n;
}

/* The committed recording (tests/fixtures/make-fixture.sh) against the
 * `ss -tan` taken with it: by local port, every (port, state) count must
 * match, whatever the direction portstat gives each socket. */
START_TEST(test_recorded_fixture)
{
	struct table_filter f = filter_all();
	struct table *t;
	struct collector *c;
	struct sampler_info info;
	uint16_t (*want)[TCP_STATE_MAX + 1] = calloc(NPORTS, sizeof(*want));
	uint16_t (*got)[TCP_STATE_MAX + 1] = calloc(NPORTS, sizeof(*got));
	unsigned n;

	ck_assert_ptr_nonnull(want);
	ck_assert_ptr_nonnull(got);
	n = ss_count(FIXTURES_DIR "/sample.ss", want);
	ck_assert_uint_gt(n, 0);

	f.by = TABLE_BY_LOCAL;
	t = table_new(&f);
	c = open_replay(FIXTURES_DIR "/sample.rec");
	ck_assert_msg(sampler_run(c, t, &info) == 0, "%s", collector_error(c));
	ck_assert_msg(info.complete, "%s", info.note);
	ck_assert_int_gt(info.time.tv_sec, 0);
	ck_assert_uint_eq(table_total(t), n);
	for (size_t i = 0; i < table_nrows(t); i++) {
		const struct table_row *r = table_row(t, i);

		for (int s = TCP_STATE_ESTABLISHED; s <= TCP_STATE_MAX; s++)
			got[r->port][s] = (uint16_t)(got[r->port][s] + r->n[s]);
	}
	for (unsigned port = 0; port < NPORTS; port++)
		if (memcmp(got[port], want[port], sizeof(got[port])) != 0)
			ck_abort_msg("port %u: portstat and ss disagree", port);

	/* the second sample of the recording, then its end */
	ck_assert_msg(sampler_run(c, t, &info) == 0, "%s", collector_error(c));
	ck_assert(info.complete);
	ck_assert_uint_eq(table_total(t), n);
	ck_assert_int_eq(sampler_run(c, t, &info), -ENODATA);
	collector_close(c);
	table_delete(t);
	free(got);
	free(want);
}
END_TEST

/* ---- damaged recordings ---- */

/* Builders of a damaged recording at @path; most start like the reference. */
static void start_v6_dump(struct rec *r)
{
	struct dgram d;

	rec_sample(r, 1700000000, 0);
	rec_dump(r, AF_INET6, ALL);
	dgram_init(&d);
	dgram_sock(&d, AF_INET6, TCP_STATE_LISTEN, 80, 0);
	rec_data(r, &d);
}

static void build_trunc_block_header(struct rec *r)
{
	int64_t mark;

	start_v6_dump(r);
	mark = recfile_mark(r->f);
	rec_done(r);
	rec_close(r);
	ck_assert_int_eq(truncate(r->path, mark + 4), 0);
}

static void build_trunc_payload(struct rec *r)
{
	int64_t mark;

	start_v6_dump(r);
	mark = recfile_mark(r->f);
	rec_done(r);
	rec_close(r);
	ck_assert_int_eq(truncate(r->path, mark + 8 + 10), 0);
}

static void build_block_too_big(struct rec *r)
{
	uint32_t hdr[2] = { RECFILE_DATA, RECFILE_MAX_BLOCK + 1 };
	static const char some[64];

	start_v6_dump(r);
	rec_close(r);
	append_raw(r->path, hdr, sizeof(hdr));
	append_raw(r->path, some, sizeof(some));
}

static void build_unknown_block(struct rec *r)
{
	start_v6_dump(r);
	rec_block(r, 7, "x", 1);
	rec_done(r);
	rec_close(r);
}

static void build_no_done(struct rec *r)
{
	start_v6_dump(r);
	rec_close(r);
}

static void build_no_done_next_dump(struct rec *r)
{
	start_v6_dump(r);
	rec_dump(r, AF_INET, ALL);
	rec_done(r);
	rec_close(r);
}

static void build_trunc_netlink(struct rec *r)
{
	struct dgram d;

	rec_sample(r, 1700000000, 0);
	rec_dump(r, AF_INET6, ALL);
	dgram_init(&d);
	dgram_sock(&d, AF_INET6, TCP_STATE_LISTEN, 80, 0);
	dgram_sock(&d, AF_INET6, TCP_STATE_ESTABLISHED, 80, 50000);
	dgram_done(&d, 0);
	/* the datagram ends inside its last message */
	rec_block(r, RECFILE_DATA, d.u.b, (uint32_t)d.len - 10);
	rec_close(r);
}

static void build_ipv4_in_ipv6_dump(struct rec *r)
{
	struct dgram d;

	rec_sample(r, 1700000000, 0);
	rec_dump(r, AF_INET6, ALL);
	dgram_init(&d);
	dgram_sock(&d, AF_INET, TCP_STATE_ESTABLISHED, 80, 50000);
	dgram_done(&d, 0);
	rec_data(r, &d);
	rec_close(r);
}

static void build_done_error(struct rec *r)
{
	struct dgram d;

	start_v6_dump(r);
	dgram_init(&d);
	dgram_done(&d, -EIO);
	rec_data(r, &d);
	rec_close(r);
}

/* Found by fuzz_leaks: -INT_MIN was negated for strerror (UBSan). */
static void build_done_int_min(struct rec *r)
{
	struct dgram d;

	start_v6_dump(r);
	dgram_init(&d);
	dgram_done(&d, INT_MIN);
	rec_data(r, &d);
	rec_close(r);
}

static void build_error_int_min(struct rec *r)
{
	struct dgram d;

	start_v6_dump(r);
	dgram_init(&d);
	dgram_error(&d, INT_MIN);
	rec_data(r, &d);
	rec_close(r);
}

static void build_narrow_states(struct rec *r)
{
	rec_sample(r, 1700000000, 0);
	rec_dump(r, AF_INET6, B(LISTEN) | B(CLOSE_WAIT));
	rec_done(r);
	rec_close(r);
}

static void build_missing_ipv4_dump(struct rec *r)
{
	start_v6_dump(r);
	rec_done(r);
	rec_close(r);
}

static void build_dumps_swapped(struct rec *r)
{
	rec_sample(r, 1700000000, 0);
	rec_dump(r, AF_INET, ALL);
	rec_done(r);
	rec_close(r);
}

static void build_bad_sample_header(struct rec *r)
{
	int64_t sec = 1700000000;

	rec_block(r, RECFILE_SAMPLE, &sec, sizeof(sec));
	rec_close(r);
}

static void build_bad_port_range(struct rec *r)
{
	rec_sample_ports(r, 1700000000, 41000, 40000);
	rec_close(r);
}

static void build_sample_header_20(struct rec *r)
{
	char b[20] = { 0 };

	rec_block(r, RECFILE_SAMPLE, b, sizeof(b));
	rec_close(r);
}

static void build_bad_sample_time(struct rec *r)
{
	rec_sample(r, 1700000000, 1000000000);
	rec_close(r);
}

/* Seconds near INT64_MAX overflowed the milliseconds computed from them
 * (UBSan, in leaks); before 1970 or after 9999 is damage too. */
static void build_time_huge(struct rec *r)
{
	rec_good_sample(r, INT64_MAX, 0);
	rec_close(r);
}

static void build_time_negative(struct rec *r)
{
	rec_good_sample(r, -1, 0);
	rec_close(r);
}

static void build_time_past_9999(struct rec *r)
{
	rec_good_sample(r, RECFILE_MAX_SEC + 1, 0);
	rec_close(r);
}

static void build_time_negative_nsec(struct rec *r)
{
	rec_good_sample(r, 1700000000, -1);
	rec_close(r);
}

static void build_bad_dump_header(struct rec *r)
{
	uint32_t half = AF_INET6;

	rec_sample(r, 1700000000, 0);
	rec_block(r, RECFILE_DUMP, &half, sizeof(half));
	rec_close(r);
}

static void build_foreign_message(struct rec *r)
{
	struct dgram d;
	struct nlmsghdr *nlh;

	start_v6_dump(r);
	dgram_init(&d);
	nlh = dgram_msg(&d, 99, 0);
	mnl_nlmsg_put_extra_header(nlh, 8);
	dgram_end_msg(&d, nlh);
	dgram_done(&d, 0);
	rec_data(r, &d);
	rec_close(r);
}

static void build_bad_state(struct rec *r)
{
	struct dgram d;

	start_v6_dump(r);
	dgram_init(&d);
	dgram_sock(&d, AF_INET6, 13, 80, 50000);
	dgram_done(&d, 0);
	rec_data(r, &d);
	rec_close(r);
}

/* Kernel context blocks (RECFILE_CONTEXT) that are not what portstat
 * writes: each follows a sample header with the range 40000-40099. */
static void rec_context(struct rec *r, const char *text, size_t len)
{
	rec_sample_ports(r, 1700000000, 40000, 40099);
	rec_block(r, RECFILE_CONTEXT, text, (uint32_t)len);
}

#define CTX_BUILDER(name, text)						\
	static void build_ctx_##name(struct rec *r)			\
	{								\
		rec_context(r, text, sizeof(text) - 1);			\
		rec_close(r);						\
	}

CTX_BUILDER(garbage, "format=1\nsomaxconn=12x\n")
CTX_BUILDER(no_newline, "format=1\nsomaxconn=1")
CTX_BUILDER(empty, "")
CTX_BUILDER(empty_line, "format=1\n\n")
CTX_BUILDER(format2, "format=2\nsomaxconn=1\n")
CTX_BUILDER(no_format, "somaxconn=1\n")
CTX_BUILDER(control, "format=1\nsomax\033conn=1\n")
CTX_BUILDER(nul, "format=1\nsoma\0conn=1\n")
CTX_BUILDER(overflow, "format=1\nsomaxconn=18446744073709551616\n")
CTX_BUILDER(leading_zero, "format=1\nsomaxconn=01\n")
CTX_BUILDER(signed, "format=1\nsomaxconn=-1\n")
CTX_BUILDER(no_value, "format=1\nsomaxconn=\n")
CTX_BUILDER(out_of_range, "format=1\ntcp_tw_reuse=3\n")
CTX_BUILDER(twice, "format=1\nsomaxconn=1\nsomaxconn=2\n")
CTX_BUILDER(half_netstat, "format=1\nTcpExt.ListenDrops=1\n")
CTX_BUILDER(reserved, "format=1\nip_local_reserved_ports=101\n")
CTX_BUILDER(long_key, "format=1\n"
	    "k2345678901234567890123456789012345678901234567890123456789012345=1\n")

static void build_ctx_oversized(struct rec *r)
{
	static char big[KCTX_MAX + 1];

	memset(big, 'a', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	rec_context(r, big, sizeof(big));
	rec_close(r);
}

static void build_ctx_truncated(struct rec *r)
{
	static const char text[] = "format=1\nsomaxconn=4096\n";
	int64_t mark;

	rec_sample_ports(r, 1700000000, 40000, 40099);
	mark = recfile_mark(r->f);
	rec_block(r, RECFILE_CONTEXT, text, sizeof(text) - 1);
	rec_close(r);
	ck_assert_int_eq(truncate(r->path, mark + 8 + 5), 0);
}

/* A context block where a dump header belongs: after the IPv6 dump. */
static void build_ctx_between_dumps(struct rec *r)
{
	static const char text[] = "format=1\n";

	start_v6_dump(r);
	rec_done(r);
	rec_block(r, RECFILE_CONTEXT, text, sizeof(text) - 1);
	rec_dump(r, AF_INET, ALL);
	rec_done(r);
	rec_close(r);
}

static const struct {
	const char *name;
	void (*build)(struct rec *r);
	int ret;
	const char *msg, *msg2;	/* substrings of collector_error(); msg2 optional */
} damaged[] = {
	{ "trunc_block_header", build_trunc_block_header, -EBADMSG,
	  "truncated at byte", "(block header)" },
	{ "trunc_payload",      build_trunc_payload,      -EBADMSG,
	  "truncated at byte", "(block of 20 bytes, 10 present)" },
	{ "block_too_big",      build_block_too_big,      -EBADMSG,
	  "corrupt at byte", "(block of 1048577 bytes)" },
	{ "unknown_block",      build_unknown_block,      -EBADMSG,
	  "corrupt at byte", "(unknown block type 7)" },
	{ "no_done",            build_no_done,            -EBADMSG,
	  "without NLMSG_DONE", NULL },
	{ "no_done_next_dump",  build_no_done_next_dump,  -EBADMSG,
	  "without NLMSG_DONE", NULL },
	{ "trunc_netlink",      build_trunc_netlink,      -EBADMSG,
	  "truncated netlink message", NULL },
	{ "ipv4_in_ipv6_dump",  build_ipv4_in_ipv6_dump,  -EBADMSG,
	  "IPv4 socket in a dump of IPv6", NULL },
	{ "done_error",         build_done_error,         -EIO,
	  "recording holds a kernel error: IPv6 dump ended with an error", NULL },
	{ "done_int_min",       build_done_int_min,       -EBADMSG,
	  "IPv6 dump ended with an invalid error code -2147483648", NULL },
	{ "error_int_min",      build_error_int_min,      -EBADMSG,
	  "IPv6 dump failed: Bad message", NULL },
	{ "narrow_states",      build_narrow_states,      -EPROTO,
	  "recorded in states listen,close_wait only", NULL },
	{ "missing_ipv4_dump",  build_missing_ipv4_dump,  -EPROTO,
	  "no IPv4 dump", NULL },
	{ "dumps_swapped",      build_dumps_swapped,      -EPROTO,
	  "IPv4 dump where IPv6 was expected", NULL },
	{ "bad_sample_header",  build_bad_sample_header,  -EBADMSG,
	  "corrupt sample header", NULL },
	{ "bad_port_range",     build_bad_port_range,     -EBADMSG,
	  "corrupt sample header (port range 41000-40000)", NULL },
	{ "sample_header_20",   build_sample_header_20,   -EBADMSG,
	  "corrupt sample header (20 bytes)", NULL },
	{ "bad_sample_time",    build_bad_sample_time,    -EBADMSG,
	  "corrupt sample time", NULL },
	{ "time_huge",          build_time_huge,          -EBADMSG,
	  "corrupt sample time in sample 1", "(9223372036854775807 s + 0 ns;" },
	{ "time_negative",      build_time_negative,      -EBADMSG,
	  "corrupt sample time", "(-1 s + 0 ns;" },
	{ "time_past_9999",     build_time_past_9999,     -EBADMSG,
	  "corrupt sample time", "(253402300800 s" },
	{ "time_negative_nsec", build_time_negative_nsec, -EBADMSG,
	  "corrupt sample time", "+ -1 ns" },
	{ "bad_dump_header",    build_bad_dump_header,    -EBADMSG,
	  "expected a dump header", NULL },
	{ "foreign_message",    build_foreign_message,    -EBADMSG,
	  "unexpected netlink message type 99", NULL },
	{ "bad_state",          build_bad_state,          -EBADMSG,
	  "malformed sock_diag message", NULL },
	{ "ctx_garbage",        build_ctx_garbage,        -EBADMSG,
	  "sample 1: kernel context line 2: somaxconn is not a decimal number", NULL },
	{ "ctx_no_newline",     build_ctx_no_newline,     -EBADMSG,
	  "kernel context does not end with a newline", NULL },
	{ "ctx_empty",          build_ctx_empty,          -EBADMSG,
	  "kernel context of 0 bytes", NULL },
	{ "ctx_empty_line",     build_ctx_empty_line,     -EBADMSG,
	  "kernel context line 2 is not key=value", NULL },
	{ "ctx_format2",        build_ctx_format2,        -EPROTO,
	  "kernel context format 2, this portstat reads 1", NULL },
	{ "ctx_no_format",      build_ctx_no_format,      -EBADMSG,
	  "kernel context begins with somaxconn, not format", NULL },
	{ "ctx_control",        build_ctx_control,        -EBADMSG,
	  "line 2: byte 0x1b in its key", NULL },
	{ "ctx_nul",            build_ctx_nul,            -EBADMSG,
	  "line 2: byte 0x00 in its key", NULL },
	{ "ctx_overflow",       build_ctx_overflow,       -EBADMSG,
	  "somaxconn is not a decimal number", NULL },
	{ "ctx_leading_zero",   build_ctx_leading_zero,   -EBADMSG,
	  "somaxconn is not a decimal number", NULL },
	{ "ctx_signed",         build_ctx_signed,         -EBADMSG,
	  "somaxconn is not a decimal number", NULL },
	{ "ctx_no_value",       build_ctx_no_value,       -EBADMSG,
	  "somaxconn is not a decimal number", NULL },
	{ "ctx_out_of_range",   build_ctx_out_of_range,   -EBADMSG,
	  "tcp_tw_reuse 3 (at most 2)", NULL },
	{ "ctx_twice",          build_ctx_twice,          -EBADMSG,
	  "line 3: somaxconn twice", NULL },
	{ "ctx_half_netstat",   build_ctx_half_netstat,   -EBADMSG,
	  "has TcpExt.ListenDrops without TcpExt.ListenOverflows", NULL },
	{ "ctx_reserved",       build_ctx_reserved,       -EBADMSG,
	  "101 reserved ports in the 100-port range 40000-40099", NULL },
	{ "ctx_long_key",       build_ctx_long_key,       -EBADMSG,
	  "line 2: key of 65 bytes", NULL },
	{ "ctx_oversized",      build_ctx_oversized,      -EBADMSG,
	  "kernel context of 4097 bytes", NULL },
	{ "ctx_truncated",      build_ctx_truncated,      -EBADMSG,
	  "truncated at byte", "(block of 24 bytes, 5 present)" },
	{ "ctx_between_dumps",  build_ctx_between_dumps,  -EBADMSG,
	  "expected a dump header", NULL },
};

START_TEST(test_damaged)
{
	struct rec r;
	struct collector *c;
	struct table_filter f = filter_all();
	struct table *t = table_new(&f);
	struct sampler_info info;
	char name[64], want[PATH_MAX + 32];
	int ret;

	snprintf(name, sizeof(name), "%s.rec", damaged[_i].name);
	rec_create(&r, name);
	damaged[_i].build(&r);

	c = open_replay(r.path);
	ret = sampler_run(c, t, &info);
	ck_assert_msg(ret == damaged[_i].ret, "%s: sampler_run %d (%s), expected %d",
		      damaged[_i].name, ret, collector_error(c), damaged[_i].ret);
	ck_assert_msg(!info.complete, "%s: table marked complete", damaged[_i].name);
	ck_assert_msg(strstr(collector_error(c), damaged[_i].msg) != NULL,
		      "%s: error \"%s\" lacks \"%s\"", damaged[_i].name, collector_error(c),
		      damaged[_i].msg);
	if (damaged[_i].msg2)
		ck_assert_msg(strstr(collector_error(c), damaged[_i].msg2) != NULL,
			      "%s: error \"%s\" lacks \"%s\"", damaged[_i].name,
			      collector_error(c), damaged[_i].msg2);
	/* One line that names the file, whoever found the damage. */
	snprintf(want, sizeof(want), "replay file '%s': ", r.path);
	ck_assert_msg(strncmp(collector_error(c), want, strlen(want)) == 0,
		      "%s: error \"%s\" does not begin with \"%s\"", damaged[_i].name,
		      collector_error(c), want);
	ck_assert_msg(!strchr(collector_error(c), '\n'), "%s: error spans lines", damaged[_i].name);
	collector_close(c);
	table_delete(t);
}
END_TEST

/* A kernel without tcp_diag answers the dump request with NLMSG_ERROR
 * -ENOENT and nothing else: no data, no NLMSG_DONE. */
START_TEST(test_nlmsg_error_enoent)
{
	struct rec r;
	struct collector *c;
	struct table_filter f = filter_all();
	struct table *t = table_new(&f);
	struct sampler_info info;
	struct dgram d;
	int ret;

	rec_create(&r, "enoent.rec");
	rec_sample(&r, 1700000000, 0);
	rec_dump(&r, AF_INET6, ALL);
	dgram_init(&d);
	dgram_error(&d, -ENOENT);
	rec_data(&r, &d);
	rec_close(&r);

	c = open_replay(r.path);
	ret = sampler_run(c, t, &info);
	ck_assert(!info.complete);
	ck_assert_msg(ret == -ENOENT, "sampler_run %d (%s), expected -ENOENT", ret,
		      collector_error(c));
	/* The recorded host's kernel said so, not this one's: no advice
	 * for this host. */
	ck_assert_msg(strstr(collector_error(c),
			     "recording holds a kernel error: the recorded host had no TCP socket "
			     "diagnostics for IPv6") != NULL,
		      "error \"%s\" does not say the error is the recording's", collector_error(c));
	ck_assert_msg(strstr(collector_error(c), "modprobe") == NULL,
		      "error \"%s\" advises this host", collector_error(c));
	collector_close(c);
	table_delete(t);
}
END_TEST

/* Any other refusal: the live errno, and a message that says the error
 * is the recording's, not this kernel's. */
START_TEST(test_nlmsg_error_recorded)
{
	struct rec r;
	struct collector *c;
	struct table_filter f = filter_all();
	struct table *t = table_new(&f);
	struct sampler_info info;
	struct dgram d;
	int ret;

	rec_create(&r, "eperm.rec");
	rec_sample(&r, 1700000000, 0);
	rec_dump(&r, AF_INET6, ALL);
	dgram_init(&d);
	dgram_error(&d, -EPERM);
	rec_data(&r, &d);
	rec_close(&r);

	c = open_replay(r.path);
	ret = sampler_run(c, t, &info);
	ck_assert(!info.complete);
	ck_assert_msg(ret == -EPERM, "sampler_run %d (%s), expected -EPERM", ret, collector_error(c));
	/* The file's name first, as every replay error; then whose error. */
	ck_assert_msg(strncmp(collector_error(c), "replay file '", 13) == 0 &&
		      strstr(collector_error(c), "eperm.rec': recording holds a kernel error: "
			     "IPv6 dump failed: Operation not permitted") != NULL,
		      "error: %s", collector_error(c));
	collector_close(c);
	table_delete(t);
}
END_TEST

/* ---- files that are not recordings ---- */

struct header {
	char magic[8];
	uint32_t version, reserved;
};

static const struct {
	const char *name;
	struct header h;
	size_t len;		/* bytes of h written; (size_t)-1: no file */
	int ret;
	const char *msg;
} unopenable[] = {
	{ "missing.rec",  { "PORTSTAT", 1, 0 }, (size_t)-1, -ENOENT, "missing.rec" },
	{ "empty.rec",    { "PORTSTAT", 1, 0 }, 0,  -EPROTO, "not a portstat recording" },
	{ "short.rec",    { "PORTSTAT", 1, 0 }, 10, -EPROTO, "not a portstat recording" },
	{ "magic.rec",    { "PORTSTAX", 1, 0 }, 16, -EPROTO, "not a portstat recording" },
	{ "pcap.rec",     { "\xd4\xc3\xb2\xa1\x02\x00\x04\x00", 0, 0 }, 16, -EPROTO,
	  "not a portstat recording" },
	{ "version.rec",  { "PORTSTAT", 2, 0 }, 16, -EPROTO, "version 2" },
};

START_TEST(test_unopenable)
{
	struct collector *c = NULL;
	char path[PATH_MAX], err[512] = "";

	path_of(path, sizeof(path), unopenable[_i].name);
	if (unopenable[_i].len != (size_t)-1)
		write_raw(path, &unopenable[_i].h, unopenable[_i].len);
	ck_assert_int_eq(collector_open_replay(&c, path, err, sizeof(err)), unopenable[_i].ret);
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(err, unopenable[_i].msg) != NULL, "error \"%s\" lacks \"%s\"",
		      err, unopenable[_i].msg);
	/* every message names the file */
	ck_assert_msg(strstr(err, path) != NULL, "error \"%s\" does not name %s", err, path);
}
END_TEST

/* ---- the block reader itself ---- */

START_TEST(test_recfile_round_trip)
{
	static const char data[] = "0123456789abcdef";
	struct rec r;
	struct recfile *f;
	char err[512];
	const void *p;
	uint32_t type, len;

	rec_create(&r, "blocks.rec");
	rec_block(&r, RECFILE_SAMPLE, data, 16);
	rec_block(&r, RECFILE_DATA, data, 0);
	rec_block(&r, RECFILE_DUMP, data + 3, 5);
	rec_close(&r);

	ck_assert_int_eq(recfile_open(&f, r.path, err, sizeof(err)), 0);
	ck_assert_int_eq(recfile_read(f, &type, &p, &len), 0);
	ck_assert_uint_eq(type, RECFILE_SAMPLE);
	ck_assert_uint_eq(len, 16);
	ck_assert_mem_eq(p, data, 16);
	ck_assert_int_eq(recfile_read(f, &type, &p, &len), 0);
	ck_assert_uint_eq(type, RECFILE_DATA);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(recfile_read(f, &type, &p, &len), 0);
	ck_assert_uint_eq(type, RECFILE_DUMP);
	ck_assert_uint_eq(len, 5);
	ck_assert_mem_eq(p, "34567", 5);
	ck_assert_int_eq(recfile_read(f, &type, &p, &len), -ENODATA);
	ck_assert_int_eq(recfile_read(f, &type, &p, &len), -ENODATA);
	ck_assert_int_eq(recfile_close(f), 0);
	ck_assert_int_eq(recfile_close(NULL), 0);
}
END_TEST

START_TEST(test_recfile_rewind)
{
	struct rec r;
	struct recfile *f;
	char err[512];
	const void *p;
	uint32_t type, len;
	int64_t mark;

	/* a retried sample replaces the unfinished one */
	rec_create(&r, "rewind.rec");
	rec_block(&r, RECFILE_SAMPLE, "A", 1);
	mark = recfile_mark(r.f);
	ck_assert_int_eq(mark, 16 + 8 + 1);
	rec_block(&r, RECFILE_SAMPLE, "BBBBBBBB", 8);
	ck_assert_int_eq(recfile_rewind(r.f, mark), 0);
	rec_block(&r, RECFILE_DATA, "C", 1);
	rec_close(&r);

	ck_assert_int_eq(recfile_open(&f, r.path, err, sizeof(err)), 0);
	ck_assert_int_eq(recfile_read(f, &type, &p, &len), 0);
	ck_assert_mem_eq(p, "A", 1);
	ck_assert_int_eq(recfile_read(f, &type, &p, &len), 0);
	ck_assert_uint_eq(type, RECFILE_DATA);
	ck_assert_mem_eq(p, "C", 1);
	ck_assert_int_eq(recfile_read(f, &type, &p, &len), -ENODATA);
	recfile_close(f);
}
END_TEST

START_TEST(test_recfile_errors_name_the_file)
{
	struct rec r;
	struct recfile *f = NULL;
	char err[512] = "", path[PATH_MAX];
	const void *p;
	uint32_t type, len;

	/* creating in a directory that does not exist */
	path_of(path, sizeof(path), "no-such-dir/x.rec");
	ck_assert_int_eq(recfile_create(&f, path, err, sizeof(err)), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, path));

	rec_create(&r, "cut.rec");
	rec_block(&r, RECFILE_DATA, "0123456789", 10);
	rec_close(&r);
	ck_assert_int_eq(truncate(r.path, 16 + 8 + 4), 0);
	ck_assert_int_eq(recfile_open(&f, r.path, err, sizeof(err)), 0);
	ck_assert_int_eq(recfile_read(f, &type, &p, &len), -EBADMSG);
	ck_assert_ptr_nonnull(strstr(recfile_error(f), r.path));
	ck_assert_ptr_nonnull(strstr(recfile_error(f), "truncated at byte 28"));
	recfile_close(f);

	/* cut inside the block header: corruption, not a clean end */
	ck_assert_int_eq(truncate(r.path, 16 + 4), 0);
	ck_assert_int_eq(recfile_open(&f, r.path, err, sizeof(err)), 0);
	ck_assert_int_eq(recfile_read(f, &type, &p, &len), -EBADMSG);
	ck_assert_ptr_nonnull(strstr(recfile_error(f), "truncated at byte 20 (block header)"));
	recfile_close(f);
	collector_close(NULL);
}
END_TEST

/*
 * The ephemeral range travels with each sample.  One socket with no
 * listener, :50000 <- 40500 in CLOSE_WAIT, in four samples: an old sample
 * header (no range: Linux's default, where 50000 is ephemeral, so it is a
 * client of 40500), one recorded with 40000-40999 (50000 is a server
 * port: 50000 in), one whose range could not be read (the default again,
 * not the last sample's), and 40000-40999 again.
 */
static void rec_range_sample(struct rec *r)
{
	struct dgram d;

	rec_dump(r, AF_INET6, ALL);
	rec_done(r);
	rec_dump(r, AF_INET, ALL);
	dgram_init(&d);
	dgram_sock(&d, AF_INET, TCP_STATE_CLOSE_WAIT, 50000, 40500);
	dgram_done(&d, 0);
	rec_data(r, &d);
}

START_TEST(test_recorded_range)
{
	static const struct {
		uint16_t lo, hi;	/* hi 0: unknown; lo 1: old header */
		uint16_t port;
		enum table_dir dir;
	} want[] = {
		{ 1, 0, 40500, OUT }, { 40000, 40999, 50000, IN },
		{ 0, 0, 40500, OUT }, { 40000, 40999, 50000, IN },
	};
	struct rec r;
	struct collector *c;
	struct table_filter f = filter_all();
	struct table *t = table_new(&f);
	struct sampler_info info;
	uint16_t lo, hi;

	rec_create(&r, "range.rec");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (want[i].lo == 1)
			rec_sample(&r, 1700000000 + (int64_t)i, 0);
		else
			rec_sample_ports(&r, 1700000000 + (int64_t)i, want[i].lo, want[i].hi);
		rec_range_sample(&r);
	}
	rec_close(&r);

	c = open_replay(r.path);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ck_assert_msg(sampler_run(c, t, &info) == 0, "%s", collector_error(c));
		ck_assert(info.complete);
		ck_assert_uint_eq(table_nrows(t), 1);
		ck_assert_msg(find(t, want[i].port, want[i].dir) != NULL,
			      "sample %zu: no row %u %s", i, want[i].port,
			      want[i].dir == IN ? "in" : "out");
		if (want[i].hi) {
			ck_assert_int_eq(collector_port_range(c, &lo, &hi), 0);
			ck_assert_uint_eq(lo, want[i].lo);
			ck_assert_uint_eq(hi, want[i].hi);
		} else {
			ck_assert_int_eq(collector_port_range(c, &lo, &hi), -ENOENT);
		}
	}
	ck_assert_int_eq(sampler_run(c, t, &info), -ENODATA);
	collector_close(c);
	table_delete(t);
}
END_TEST

/* A live recording holds the namespace's range as /proc/sys shows it. */
/* Samples with and without a context block: each sample's own is served,
 * unknown (-ENOENT) where it has none; unknown keys are skipped. */
START_TEST(test_recorded_context)
{
	static const char ctx1[] = "format=1\nip_local_reserved_ports=10\ntcp_tw_reuse=0\n"
		"somaxconn=4096\ntcp_max_tw_buckets=10\ntcp_max_orphans=65536\n"
		"tcp_syncookies=1\nTcpExt.ListenOverflows=30\nTcpExt.ListenDrops=31\n"
		"TcpExt.TCPTimeWaitOverflow=20\nTcpExt.SyncookiesSent=15\n";
	static const char ctx3[] = "format=1\nsomaxconn=128\nfuture.key=7\n";
	struct rec r;
	struct collector *c;
	struct table_filter f = filter_all();
	struct table *t = table_new(&f);
	struct sampler_info info;
	struct doctor_ns ns;

	rec_create(&r, "context.rec");
	rec_sample_ports(&r, 1700000000, 40000, 40099);
	rec_block(&r, RECFILE_CONTEXT, ctx1, sizeof(ctx1) - 1);
	rec_range_sample(&r);
	rec_sample_ports(&r, 1700000001, 40000, 40099);
	rec_range_sample(&r);
	rec_sample(&r, 1700000002, 0);
	rec_block(&r, RECFILE_CONTEXT, ctx3, sizeof(ctx3) - 1);
	rec_range_sample(&r);
	rec_close(&r);

	c = open_replay(r.path);
	ck_assert_msg(sampler_run(c, t, &info) == 0, "%s", collector_error(c));
	ck_assert(info.complete);
	ck_assert_uint_eq(table_nrows(t), 1);
	ck_assert_int_eq(collector_context(c, &ns), 0);
	ck_assert(ns.has_range && ns.eph_lo == 40000 && ns.eph_hi == 40099);
	ck_assert_uint_eq(ns.reserved, 10);
	ck_assert(ns.has_tw_reuse && ns.tw_reuse == 0);
	ck_assert(ns.has_somaxconn && ns.somaxconn == 4096);
	ck_assert(ns.has_max_tw && ns.max_tw == 10);
	ck_assert(ns.has_max_orphans && ns.max_orphans == 65536);
	ck_assert(ns.has_syncookies && ns.syncookies == 1);
	ck_assert(ns.has_netstat && ns.listen_overflows == 30 && ns.listen_drops == 31);
	ck_assert(ns.has_tw_overflow && ns.tw_overflow == 20);
	ck_assert(ns.has_cookies_sent && ns.cookies_sent == 15);

	ck_assert_msg(sampler_run(c, t, &info) == 0, "%s", collector_error(c));
	ck_assert_int_eq(collector_context(c, &ns), -ENOENT);

	/* An old sample header (no range) with a context: the range and
	 * the reserved count stay unknown, the rest is known. */
	ck_assert_msg(sampler_run(c, t, &info) == 0, "%s", collector_error(c));
	ck_assert_int_eq(collector_context(c, &ns), 0);
	ck_assert(!ns.has_range && !ns.has_tw_reuse && !ns.has_netstat);
	ck_assert(ns.has_somaxconn && ns.somaxconn == 128);
	ck_assert_int_eq(sampler_run(c, t, &info), -ENODATA);
	collector_close(c);
	table_delete(t);
}
END_TEST

/* A live recording carries the namespace's context after each sample
 * header, and its replay serves what was read. */
START_TEST(test_record_holds_context)
{
	struct collector *c = NULL;
	struct table_filter f = filter_all();
	struct table *t = table_new(&f);
	struct sampler_info info;
	struct doctor_ns live, replayed;
	char path[PATH_MAX], err[512] = "";
	unsigned long long max_tw;
	FILE *fp = fopen("/proc/sys/net/ipv4/tcp_max_tw_buckets", "re");

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fscanf(fp, "%llu", &max_tw), 1);
	fclose(fp);
	path_of(path, sizeof(path), "live-context.rec");
	ck_assert_msg(collector_open_live(&c, NULL, err, sizeof(err)) == 0, "%s", err);
	/* Not asked for, not recording: unknown. */
	ck_assert_msg(sampler_run(c, t, &info) == 0, "%s", collector_error(c));
	ck_assert_int_eq(collector_context(c, &live), -ENOENT);
	ck_assert_msg(collector_record(c, path, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(sampler_run(c, t, &info) == 0, "%s", collector_error(c));
	ck_assert_int_eq(collector_context(c, &live), 0);
	ck_assert(live.has_range && live.has_max_tw && live.has_netstat);
	ck_assert_uint_eq(live.max_tw, max_tw);
	collector_close(c);

	c = open_replay(path);
	ck_assert_msg(sampler_run(c, t, &info) == 0, "%s", collector_error(c));
	ck_assert_int_eq(collector_context(c, &replayed), 0);
	ck_assert(replayed.has_range == live.has_range && replayed.eph_lo == live.eph_lo &&
		  replayed.eph_hi == live.eph_hi && replayed.reserved == live.reserved);
	ck_assert(replayed.has_tw_reuse == live.has_tw_reuse && replayed.tw_reuse == live.tw_reuse);
	ck_assert(replayed.has_somaxconn == live.has_somaxconn &&
		  replayed.somaxconn == live.somaxconn);
	ck_assert(replayed.has_max_tw && replayed.max_tw == live.max_tw);
	ck_assert(replayed.has_netstat && replayed.listen_overflows == live.listen_overflows &&
		  replayed.listen_drops == live.listen_drops);
	ck_assert(replayed.has_tw_overflow == live.has_tw_overflow &&
		  replayed.tw_overflow == live.tw_overflow);
	ck_assert(replayed.has_max_orphans == live.has_max_orphans &&
		  replayed.max_orphans == live.max_orphans);
	ck_assert(replayed.has_syncookies == live.has_syncookies &&
		  replayed.syncookies == live.syncookies);
	ck_assert(replayed.has_cookies_sent == live.has_cookies_sent &&
		  replayed.cookies_sent == live.cookies_sent);
	collector_close(c);
	table_delete(t);
}
END_TEST

START_TEST(test_record_holds_range)
{
	struct collector *c = NULL;
	struct table_filter f = filter_all();
	struct table *t = table_new(&f);
	struct sampler_info info;
	struct recfile *rf;
	struct recfile_sample s;
	struct recfile_ports p;
	char path[PATH_MAX], err[512] = "";
	unsigned lo, hi;
	uint16_t rlo, rhi;
	const void *b;
	uint32_t type, len;
	FILE *fp = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fscanf(fp, "%u %u", &lo, &hi), 2);
	fclose(fp);
	path_of(path, sizeof(path), "live.rec");
	ck_assert_msg(collector_open_live(&c, NULL, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(collector_record(c, path, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(sampler_run(c, t, &info) == 0, "%s", collector_error(c));
	ck_assert_int_eq(collector_port_range(c, &rlo, &rhi), 0);
	ck_assert_uint_eq(rlo, lo);
	ck_assert_uint_eq(rhi, hi);
	collector_close(c);

	ck_assert_int_eq(recfile_open(&rf, path, err, sizeof(err)), 0);
	ck_assert_int_eq(recfile_read(rf, &type, &b, &len), 0);
	ck_assert_uint_eq(type, RECFILE_SAMPLE);
	ck_assert_uint_eq(len, sizeof(s) + sizeof(p));
	memcpy(&p, (const char *)b + sizeof(s), sizeof(p));
	ck_assert_uint_eq(p.lo, lo);
	ck_assert_uint_eq(p.hi, hi);
	ck_assert_uint_eq(p.reserved, 0);
	recfile_close(rf);

	c = open_replay(path);
	ck_assert_msg(sampler_run(c, t, &info) == 0, "%s", collector_error(c));
	ck_assert_int_eq(collector_port_range(c, &rlo, &rhi), 0);
	ck_assert_uint_eq(rlo, lo);
	ck_assert_uint_eq(rhi, hi);
	collector_close(c);
	table_delete(t);
}
END_TEST

static Suite *replay_suite(void)
{
	Suite *s = suite_create("replay");
	TCase *tc = tcase_create("recfile");

	tcase_add_test(tc, test_recfile_round_trip);
	tcase_add_test(tc, test_recfile_rewind);
	tcase_add_test(tc, test_recfile_errors_name_the_file);
	tcase_add_loop_test(tc, test_unopenable, 0, sizeof(unopenable) / sizeof(unopenable[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("samples");
	tcase_add_test(tc, test_good_sample);
	tcase_add_loop_test(tc, test_good_sample_filtered, 0, 3);
	tcase_add_test(tc, test_samples_in_order);
	tcase_add_test(tc, test_no_samples);
	tcase_add_test(tc, test_interrupted_dump);
	tcase_add_test(tc, test_ipv6_only_recording);
	tcase_add_test(tc, test_dump_states_and_callback);
	tcase_add_test(tc, test_recorded_range);
	tcase_add_test(tc, test_record_holds_range);
	tcase_add_test(tc, test_recorded_context);
	tcase_add_test(tc, test_record_holds_context);
	suite_add_tcase(s, tc);

	tc = tcase_create("recorded");
	tcase_add_test(tc, test_recorded_fixture);
	suite_add_tcase(s, tc);

	tc = tcase_create("damaged");
	tcase_add_loop_test(tc, test_damaged, 0, sizeof(damaged) / sizeof(damaged[0]));
	tcase_add_test(tc, test_nlmsg_error_enoent);
	tcase_add_test(tc, test_nlmsg_error_recorded);
	suite_add_tcase(s, tc);
	return s;
}

/* Remove the flat temporary directory and what the tests left in it. */
static void tmpdir_remove(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	rmdir(tmpdir);
}

int main(void)
{
	const char *base = getenv("TMPDIR");
	SRunner *sr;
	int failed;

	snprintf(tmpdir, sizeof(tmpdir), "%s/check_replay.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	sr = srunner_create(replay_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	tmpdir_remove();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
