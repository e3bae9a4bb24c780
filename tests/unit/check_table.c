/* SPDX-License-Identifier: MIT */
/*
 * check_table: aggregation and classification over hand-built sock_recs.
 * Direction in service mode (server, client, listener, dual-stack and
 * v6only IPv6 listeners), local and remote modes, the state, family and
 * port filters, totals, table_clear, the sort orders with their ties, and a
 * table with every one of the 2 x 65536 keys in use.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <check.h>

#include "diag.h"
#include "table.h"

#define B(s)	TCP_STATE_BIT(TCP_STATE_##s)
#define IN	TABLE_DIR_IN
#define OUT	TABLE_DIR_OUT

static struct sock_rec sock(int family, enum tcp_state state, uint16_t sport, uint16_t dport)
{
	struct sock_rec r;

	memset(&r, 0, sizeof(r));
	r.family = (uint8_t)family;
	r.state = (uint8_t)state;
	r.sport = sport;
	r.dport = dport;
	return r;
}

static struct sock_rec listener6(uint16_t port, bool v6only)
{
	struct sock_rec r = sock(AF_INET6, TCP_STATE_LISTEN, port, 0);

	r.v6only = v6only;
	return r;
}

static struct table_filter filter_all(enum table_by by)
{
	struct table_filter f;

	memset(&f, 0, sizeof(f));
	f.by = by;
	f.states = TCP_STATE_ALL_MASK;
	f.ipv4 = f.ipv6 = true;
	return f;
}

static struct table *new_table(const struct table_filter *f)
{
	struct table *t = table_new(f);

	ck_assert_ptr_nonnull(t);
	return t;
}

static void add(struct table *t, struct sock_rec r)
{
	ck_assert_int_ge(table_add(t, &r), 0);
}

/* @n sockets on local @port from peers @peer, @peer + 1, ... */
static void add_server(struct table *t, unsigned n, int family, enum tcp_state state,
		       uint16_t port, uint16_t peer)
{
	for (unsigned i = 0; i < n; i++)
		add(t, sock(family, state, port, (uint16_t)(peer + i)));
}

/* @n sockets from local ports @local, @local + 1, ... to remote @port */
static void add_client(struct table *t, unsigned n, int family, enum tcp_state state,
		       uint16_t local, uint16_t port)
{
	for (unsigned i = 0; i < n; i++)
		add(t, sock(family, state, (uint16_t)(local + i), port));
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

/* The row (port, dir) exists and holds exactly @total sockets, @n of them in
 * @state. */
#define expect_row(t_, port_, dir_, state_, n_, total_) do {					\
	const struct table_row *r_ = find((t_), (port_), (dir_));				\
	ck_assert_msg(r_ != NULL, "no row %u %s", (port_), (dir_) == IN ? "in" : "out");	\
	ck_assert_msg(r_->n[(state_)] == (n_), "row %u %s: %s = %u, expected %u",		\
		      (port_), (dir_) == IN ? "in" : "out", tcp_state_name(state_),		\
		      r_->n[(state_)], (unsigned)(n_));						\
	ck_assert_msg(r_->total == (total_), "row %u %s: total %llu, expected %u",		\
		      (port_), (dir_) == IN ? "in" : "out",					\
		      (unsigned long long)r_->total, (unsigned)(total_));			\
} while (0)

#define expect_no_row(t, port, dir)	\
	ck_assert_msg(find((t), (port), (dir)) == NULL, "unexpected row %u", (port))

START_TEST(test_service_server_and_client)
{
	struct table_filter f = filter_all(TABLE_BY_SERVICE);
	struct table *t = new_table(&f);

	add(t, sock(AF_INET, TCP_STATE_LISTEN, 443, 0));
	add_server(t, 3, AF_INET, TCP_STATE_ESTABLISHED, 443, 50000);	/* accepted */
	add(t, sock(AF_INET, TCP_STATE_CLOSE_WAIT, 443, 50100));
	add_client(t, 2, AF_INET, TCP_STATE_ESTABLISHED, 40000, 5432);	/* our pool */
	add(t, sock(AF_INET, TCP_STATE_TIME_WAIT, 40002, 5432));

	ck_assert_uint_eq(table_nrows(t), 2);
	expect_row(t, 443, IN, TCP_STATE_LISTEN, 1, 5);
	expect_row(t, 443, IN, TCP_STATE_ESTABLISHED, 3, 5);
	expect_row(t, 443, IN, TCP_STATE_CLOSE_WAIT, 1, 5);
	expect_row(t, 5432, OUT, TCP_STATE_ESTABLISHED, 2, 3);
	expect_row(t, 5432, OUT, TCP_STATE_TIME_WAIT, 1, 3);
	/* no rows under ephemeral ports */
	expect_no_row(t, 50000, OUT);
	expect_no_row(t, 40000, OUT);
	table_delete(t);
}
END_TEST

START_TEST(test_service_listener_alone)
{
	struct table_filter f = filter_all(TABLE_BY_SERVICE);
	struct table *t = new_table(&f);

	add(t, sock(AF_INET, TCP_STATE_LISTEN, 8080, 0));
	add(t, listener6(8443, true));
	ck_assert_uint_eq(table_nrows(t), 2);
	expect_row(t, 8080, IN, TCP_STATE_LISTEN, 1, 1);
	expect_row(t, 8443, IN, TCP_STATE_LISTEN, 1, 1);
	ck_assert(table_is_listening(t, AF_INET, 8080));
	ck_assert(!table_is_listening(t, AF_INET6, 8080));
	ck_assert(table_is_listening(t, AF_INET6, 8443));
	ck_assert(!table_is_listening(t, AF_INET, 8443));
	ck_assert(!table_is_listening(t, AF_INET, 8081));
	table_delete(t);
}
END_TEST

START_TEST(test_dual_stack_listener_classifies_ipv4)
{
	struct table_filter f = filter_all(TABLE_BY_SERVICE);
	struct table *t = new_table(&f);

	add(t, listener6(80, false));
	add(t, sock(AF_INET, TCP_STATE_ESTABLISHED, 80, 33333));
	add(t, sock(AF_INET6, TCP_STATE_ESTABLISHED, 80, 33334));
	ck_assert(table_is_listening(t, AF_INET, 80));
	ck_assert(table_is_listening(t, AF_INET6, 80));
	ck_assert_uint_eq(table_nrows(t), 1);
	expect_row(t, 80, IN, TCP_STATE_ESTABLISHED, 2, 3);
	table_delete(t);
}
END_TEST

START_TEST(test_v6only_listener_does_not_classify_ipv4)
{
	struct table_filter f = filter_all(TABLE_BY_SERVICE);
	struct table *t = new_table(&f);

	add(t, listener6(80, true));
	/* A peer port above the ephemeral range: only a listener could make
	 * the IPv4 socket inbound. */
	add(t, sock(AF_INET, TCP_STATE_ESTABLISHED, 80, 61000));
	add(t, sock(AF_INET6, TCP_STATE_ESTABLISHED, 80, 61001));
	ck_assert(!table_is_listening(t, AF_INET, 80));
	ck_assert(table_is_listening(t, AF_INET6, 80));
	expect_row(t, 80, IN, TCP_STATE_ESTABLISHED, 1, 2);
	expect_row(t, 61000, OUT, TCP_STATE_ESTABLISHED, 1, 1);
	ck_assert_uint_eq(table_nrows(t), 2);
	table_delete(t);
}
END_TEST

START_TEST(test_ipv4_listener_does_not_classify_ipv6)
{
	struct table_filter f = filter_all(TABLE_BY_SERVICE);
	struct table *t = new_table(&f);

	add(t, sock(AF_INET, TCP_STATE_LISTEN, 22, 0));
	add(t, sock(AF_INET6, TCP_STATE_ESTABLISHED, 22, 61000));	/* peer not ephemeral */
	ck_assert(!table_is_listening(t, AF_INET6, 22));
	expect_row(t, 22, IN, TCP_STATE_LISTEN, 1, 1);
	expect_row(t, 61000, OUT, TCP_STATE_ESTABLISHED, 1, 1);
	table_delete(t);
}
END_TEST

/*
 * Direction without a listener: the ephemeral range decides.  Each case is
 * one socket (after an optional listener) in a fresh table with the given
 * range (0 0: the default 32768-60999) and --by mode.
 */
enum lst { NONE, V4, V6DUAL, V6ONLY };

static const struct dir_case {
	const char *name;
	enum lst listener;	/* on the socket's local port */
	uint16_t lo, hi;	/* range; 0 0 = table default */
	enum table_by by;
	int family;
	enum tcp_state state;
	uint16_t sport, dport;
	uint16_t port;		/* expected row */
	enum table_dir dir;
} dir_cases[] = {
	/* A listener decides whatever the ports. */
	{ "listener, both ports ephemeral", V4, 0, 0, TABLE_BY_SERVICE, AF_INET,
	  TCP_STATE_ESTABLISHED, 40000, 50000, 40000, IN },
	{ "listener, peer not ephemeral", V4, 0, 0, TABLE_BY_SERVICE, AF_INET,
	  TCP_STATE_CLOSE_WAIT, 8443, 61000, 8443, IN },
	{ "dual-stack listener in the range, IPv4", V6DUAL, 0, 0, TABLE_BY_SERVICE, AF_INET,
	  TCP_STATE_ESTABLISHED, 40500, 50000, 40500, IN },
	{ "v6only listener in the range, IPv4", V6ONLY, 0, 0, TABLE_BY_SERVICE, AF_INET,
	  TCP_STATE_ESTABLISHED, 40500, 50000, 50000, OUT },
	{ "IPv4 listener, IPv6 socket, peer ephemeral", V4, 0, 0, TABLE_BY_SERVICE, AF_INET6,
	  TCP_STATE_CLOSE_WAIT, 8443, 40000, 8443, IN },
	{ "IPv4 listener, IPv6 socket, peer not ephemeral", V4, 0, 0, TABLE_BY_SERVICE, AF_INET6,
	  TCP_STATE_CLOSE_WAIT, 8443, 61000, 61000, OUT },
	{ "a listener in the range", NONE, 0, 0, TABLE_BY_SERVICE, AF_INET,
	  TCP_STATE_LISTEN, 50000, 0, 50000, IN },
	/* No listener: local outside and peer inside the range is inbound. */
	{ "closed server, CLOSE_WAIT, IPv4", NONE, 0, 0, TABLE_BY_SERVICE, AF_INET,
	  TCP_STATE_CLOSE_WAIT, 8443, 40000, 8443, IN },
	{ "closed server, TIME_WAIT, IPv6", NONE, 0, 0, TABLE_BY_SERVICE, AF_INET6,
	  TCP_STATE_TIME_WAIT, 8443, 40001, 8443, IN },
	{ "closed server, ESTABLISHED, IPv6", NONE, 0, 0, TABLE_BY_SERVICE, AF_INET6,
	  TCP_STATE_ESTABLISHED, 443, 60000, 443, IN },
	{ "client, local ephemeral", NONE, 0, 0, TABLE_BY_SERVICE, AF_INET,
	  TCP_STATE_ESTABLISHED, 40000, 5432, 5432, OUT },
	{ "client, both ephemeral", NONE, 0, 0, TABLE_BY_SERVICE, AF_INET6,
	  TCP_STATE_ESTABLISHED, 40000, 50000, 50000, OUT },
	{ "both fixed", NONE, 0, 0, TABLE_BY_SERVICE, AF_INET,
	  TCP_STATE_ESTABLISHED, 8443, 1024, 1024, OUT },
	{ "peer above the range", NONE, 0, 0, TABLE_BY_SERVICE, AF_INET,
	  TCP_STATE_CLOSE_WAIT, 8443, 61000, 61000, OUT },
	{ "unbound", NONE, 0, 0, TABLE_BY_SERVICE, AF_INET,
	  TCP_STATE_CLOSE, 0, 0, 0, OUT },
	/* The edges of the default range, 32768 and 60999, are in it. */
	{ "peer at lo", NONE, 0, 0, TABLE_BY_SERVICE, AF_INET,
	  TCP_STATE_CLOSE_WAIT, 8443, 32768, 8443, IN },
	{ "peer at hi", NONE, 0, 0, TABLE_BY_SERVICE, AF_INET6,
	  TCP_STATE_CLOSE_WAIT, 8443, 60999, 8443, IN },
	{ "peer below lo", NONE, 0, 0, TABLE_BY_SERVICE, AF_INET,
	  TCP_STATE_CLOSE_WAIT, 8443, 32767, 32767, OUT },
	{ "peer above hi", NONE, 0, 0, TABLE_BY_SERVICE, AF_INET6,
	  TCP_STATE_CLOSE_WAIT, 8443, 61000, 61000, OUT },
	{ "local just below lo", NONE, 0, 0, TABLE_BY_SERVICE, AF_INET,
	  TCP_STATE_CLOSE_WAIT, 32767, 32768, 32767, IN },
	{ "local at lo", NONE, 0, 0, TABLE_BY_SERVICE, AF_INET,
	  TCP_STATE_CLOSE_WAIT, 32768, 40000, 40000, OUT },
	{ "local at hi", NONE, 0, 0, TABLE_BY_SERVICE, AF_INET6,
	  TCP_STATE_CLOSE_WAIT, 60999, 40000, 40000, OUT },
	{ "local just above hi", NONE, 0, 0, TABLE_BY_SERVICE, AF_INET6,
	  TCP_STATE_CLOSE_WAIT, 61000, 60999, 61000, IN },
	/* A custom range: 40000-40999. */
	{ "custom: server above the range", NONE, 40000, 40999, TABLE_BY_SERVICE, AF_INET,
	  TCP_STATE_CLOSE_WAIT, 50000, 40500, 50000, IN },
	{ "custom: same, IPv6", NONE, 40000, 40999, TABLE_BY_SERVICE, AF_INET6,
	  TCP_STATE_TIME_WAIT, 50000, 40999, 50000, IN },
	{ "custom: peer in the default range only", NONE, 40000, 40999, TABLE_BY_SERVICE,
	  AF_INET, TCP_STATE_CLOSE_WAIT, 8443, 35000, 35000, OUT },
	{ "custom: local at lo", NONE, 40000, 40999, TABLE_BY_SERVICE, AF_INET,
	  TCP_STATE_ESTABLISHED, 40000, 40999, 40999, OUT },
	{ "custom: local below lo, peer at lo", NONE, 40000, 40999, TABLE_BY_SERVICE,
	  AF_INET, TCP_STATE_CLOSE_WAIT, 39999, 40000, 39999, IN },
	{ "custom: local above hi, peer at hi", NONE, 40000, 40999, TABLE_BY_SERVICE,
	  AF_INET6, TCP_STATE_CLOSE_WAIT, 41000, 40999, 41000, IN },
	{ "custom: peer above hi", NONE, 40000, 40999, TABLE_BY_SERVICE, AF_INET,
	  TCP_STATE_CLOSE_WAIT, 50000, 41000, 41000, OUT },
	{ "one-port range, peer on it", NONE, 40000, 40000, TABLE_BY_SERVICE, AF_INET,
	  TCP_STATE_CLOSE_WAIT, 8443, 40000, 8443, IN },
	{ "one-port range, peer next to it", NONE, 40000, 40000, TABLE_BY_SERVICE, AF_INET,
	  TCP_STATE_CLOSE_WAIT, 8443, 40001, 40001, OUT },
	{ "full range: nothing is outside", NONE, 1, 65535, TABLE_BY_SERVICE, AF_INET,
	  TCP_STATE_CLOSE_WAIT, 8443, 40000, 40000, OUT },
	/* The direction is the same under every --by; only the port differs. */
	{ "by local", NONE, 0, 0, TABLE_BY_LOCAL, AF_INET,
	  TCP_STATE_CLOSE_WAIT, 8443, 40000, 8443, IN },
	{ "by remote", NONE, 0, 0, TABLE_BY_REMOTE, AF_INET6,
	  TCP_STATE_CLOSE_WAIT, 8443, 40000, 40000, IN },
	{ "by remote, client", NONE, 0, 0, TABLE_BY_REMOTE, AF_INET,
	  TCP_STATE_CLOSE_WAIT, 40000, 8443, 8443, OUT },
};

START_TEST(test_direction_cases)
{
	const struct dir_case *c = &dir_cases[_i];
	struct table_filter f = filter_all(c->by);
	struct table *t = new_table(&f);
	struct sock_rec r = sock(c->family, c->state, c->sport, c->dport);
	const struct table_row *row;
	enum table_dir dir;
	uint16_t port;

	if (c->hi)
		table_set_ephemeral(t, c->lo, c->hi);
	if (c->listener == V4)
		add(t, sock(AF_INET, TCP_STATE_LISTEN, c->sport, 0));
	else if (c->listener != NONE)
		add(t, listener6(c->sport, c->listener == V6ONLY));
	table_classify(t, &r, &port, &dir);
	ck_assert_msg(port == c->port && dir == c->dir, "%s: %u %s, expected %u %s", c->name,
		      port, dir == IN ? "in" : "out", c->port, c->dir == IN ? "in" : "out");
	/* table_add() counts it where table_classify() says. */
	add(t, r);
	row = find(t, c->port, c->dir);
	ck_assert_msg(row && row->n[c->state] == 1, "%s: not counted in its row", c->name);
	ck_assert_uint_eq(table_total(t), c->listener == NONE ? 1 : 2);
	table_delete(t);
}
END_TEST

/* The range belongs to the namespace: table_clear() keeps it, a table
 * filled in parallel gets it with the listeners. */
START_TEST(test_range_kept_and_copied)
{
	struct table_filter f = filter_all(TABLE_BY_SERVICE);
	struct table *t = new_table(&f), *share = new_table(&f);

	/* The default range: 50000 is ephemeral, so this is a client. */
	add(t, sock(AF_INET, TCP_STATE_CLOSE_WAIT, 50000, 40500));
	expect_row(t, 40500, OUT, TCP_STATE_CLOSE_WAIT, 1, 1);
	table_set_ephemeral(t, 40000, 40999);
	table_clear(t);
	add(t, sock(AF_INET, TCP_STATE_CLOSE_WAIT, 50000, 40500));
	expect_row(t, 50000, IN, TCP_STATE_CLOSE_WAIT, 1, 1);

	table_copy_listeners(share, t);
	add(share, sock(AF_INET6, TCP_STATE_TIME_WAIT, 50000, 40501));
	expect_row(share, 50000, IN, TCP_STATE_TIME_WAIT, 1, 1);
	ck_assert_int_eq(table_merge(t, share), 0);
	expect_row(t, 50000, IN, TCP_STATE_TIME_WAIT, 1, 2);
	table_delete(share);
	table_delete(t);
}
END_TEST

/* The same sockets under the three --by modes. */
static void add_mixed(struct table *t)
{
	add(t, sock(AF_INET, TCP_STATE_LISTEN, 443, 0));
	add(t, sock(AF_INET, TCP_STATE_ESTABLISHED, 443, 50000));
	add(t, sock(AF_INET, TCP_STATE_ESTABLISHED, 443, 50001));
	add(t, sock(AF_INET, TCP_STATE_CLOSE_WAIT, 40000, 5432));
}

START_TEST(test_by_local)
{
	struct table_filter f = filter_all(TABLE_BY_LOCAL);
	struct table *t = new_table(&f);

	add_mixed(t);
	ck_assert_uint_eq(table_nrows(t), 2);
	expect_row(t, 443, IN, TCP_STATE_ESTABLISHED, 2, 3);
	expect_row(t, 40000, OUT, TCP_STATE_CLOSE_WAIT, 1, 1);
	table_delete(t);
}
END_TEST

START_TEST(test_by_remote)
{
	struct table_filter f = filter_all(TABLE_BY_REMOTE);
	struct table *t = new_table(&f);

	add_mixed(t);
	ck_assert_uint_eq(table_nrows(t), 4);
	expect_row(t, 0, IN, TCP_STATE_LISTEN, 1, 1);	/* a listener has no peer */
	expect_row(t, 50000, IN, TCP_STATE_ESTABLISHED, 1, 1);
	expect_row(t, 50001, IN, TCP_STATE_ESTABLISHED, 1, 1);
	expect_row(t, 5432, OUT, TCP_STATE_CLOSE_WAIT, 1, 1);
	table_delete(t);
}
END_TEST

START_TEST(test_state_filter)
{
	struct table_filter f = filter_all(TABLE_BY_SERVICE);
	struct table *t;

	f.states = B(ESTABLISHED) | B(CLOSE_WAIT);
	t = new_table(&f);
	add(t, sock(AF_INET, TCP_STATE_LISTEN, 443, 0));
	add(t, listener6(80, false));
	add_server(t, 2, AF_INET, TCP_STATE_ESTABLISHED, 443, 50000);
	add(t, sock(AF_INET, TCP_STATE_TIME_WAIT, 443, 50010));
	add(t, sock(AF_INET, TCP_STATE_CLOSE_WAIT, 80, 50020));
	add(t, sock(AF_INET, TCP_STATE_SYN_SENT, 40000, 5432));

	/* listen is filtered out, yet both ports are still listening and the
	 * sockets on them are inbound */
	ck_assert(table_is_listening(t, AF_INET, 443));
	ck_assert(table_is_listening(t, AF_INET, 80));
	ck_assert_uint_eq(table_nrows(t), 2);
	expect_row(t, 443, IN, TCP_STATE_ESTABLISHED, 2, 2);
	expect_row(t, 443, IN, TCP_STATE_LISTEN, 0, 2);
	expect_row(t, 80, IN, TCP_STATE_CLOSE_WAIT, 1, 1);
	expect_no_row(t, 5432, OUT);
	ck_assert_uint_eq(table_total(t), 3);
	ck_assert_uint_eq(table_state_total(t, TCP_STATE_LISTEN), 0);
	ck_assert_uint_eq(table_state_total(t, TCP_STATE_TIME_WAIT), 0);
	ck_assert_uint_eq(table_state_total(t, TCP_STATE_SYN_SENT), 0);

	/* table_add() says which sockets it counted (--by process counts
	 * exactly those) */
	struct sock_rec in = sock(AF_INET, TCP_STATE_CLOSE_WAIT, 80, 50021);
	struct sock_rec out = sock(AF_INET, TCP_STATE_TIME_WAIT, 443, 50011);

	ck_assert_int_eq(table_add(t, &in), 1);
	ck_assert_int_eq(table_add(t, &out), 0);
	table_delete(t);
}
END_TEST

START_TEST(test_family_filter_ipv4)
{
	struct table_filter f = filter_all(TABLE_BY_SERVICE);
	struct table *t;

	f.ipv6 = false;
	t = new_table(&f);
	add(t, listener6(80, false));
	add(t, sock(AF_INET6, TCP_STATE_ESTABLISHED, 80, 40000));
	add(t, sock(AF_INET, TCP_STATE_ESTABLISHED, 80, 40001));
	add(t, sock(AF_INET, TCP_STATE_ESTABLISHED, 80, 40002));

	/* The uncounted dual-stack listener still makes IPv4 port 80 inbound. */
	ck_assert(table_is_listening(t, AF_INET, 80));
	ck_assert_uint_eq(table_nrows(t), 1);
	expect_row(t, 80, IN, TCP_STATE_ESTABLISHED, 2, 2);
	ck_assert_uint_eq(table_total(t), 2);
	ck_assert_uint_eq(table_state_total(t, TCP_STATE_LISTEN), 0);
	table_delete(t);
}
END_TEST

START_TEST(test_family_filter_ipv6)
{
	struct table_filter f = filter_all(TABLE_BY_SERVICE);
	struct table *t;

	f.ipv4 = false;
	t = new_table(&f);
	add(t, sock(AF_INET, TCP_STATE_LISTEN, 22, 0));
	add(t, sock(AF_INET, TCP_STATE_ESTABLISHED, 22, 40000));
	add(t, listener6(22, true));
	add(t, sock(AF_INET6, TCP_STATE_ESTABLISHED, 22, 40001));
	ck_assert_uint_eq(table_nrows(t), 1);
	expect_row(t, 22, IN, TCP_STATE_LISTEN, 1, 2);
	expect_row(t, 22, IN, TCP_STATE_ESTABLISHED, 1, 2);
	table_delete(t);
}
END_TEST

START_TEST(test_port_filter_on_counted_port)
{
	struct table_filter f = filter_all(TABLE_BY_SERVICE);
	struct table *t;

	f.has_ports = true;
	portset_add(&f.ports, 443);
	t = new_table(&f);
	add(t, sock(AF_INET, TCP_STATE_LISTEN, 443, 0));
	add(t, sock(AF_INET, TCP_STATE_ESTABLISHED, 443, 50000));	/* 443 in */
	add(t, sock(AF_INET, TCP_STATE_ESTABLISHED, 50001, 443));	/* 443 out */
	/* local port 443 but outbound (to 5432): counts under 5432, filtered */
	add(t, sock(AF_INET6, TCP_STATE_ESTABLISHED, 443, 5432));
	add(t, sock(AF_INET, TCP_STATE_LISTEN, 80, 0));			/* filtered */
	add(t, sock(AF_INET, TCP_STATE_ESTABLISHED, 80, 443));		/* 80 in */

	ck_assert_uint_eq(table_nrows(t), 2);
	expect_row(t, 443, IN, TCP_STATE_ESTABLISHED, 1, 2);
	expect_row(t, 443, OUT, TCP_STATE_ESTABLISHED, 1, 1);
	ck_assert_uint_eq(table_total(t), 3);
	/* a filtered listener still classifies */
	ck_assert(table_is_listening(t, AF_INET, 80));
	table_delete(t);
}
END_TEST

START_TEST(test_port_filter_by_local)
{
	struct table_filter f = filter_all(TABLE_BY_LOCAL);
	struct table *t;

	f.has_ports = true;
	portset_add(&f.ports, 443);
	t = new_table(&f);
	add(t, sock(AF_INET, TCP_STATE_ESTABLISHED, 50001, 443));
	add(t, sock(AF_INET, TCP_STATE_ESTABLISHED, 443, 61002));
	ck_assert_uint_eq(table_nrows(t), 1);
	expect_row(t, 443, OUT, TCP_STATE_ESTABLISHED, 1, 1);
	table_delete(t);
}
END_TEST

START_TEST(test_totals)
{
	struct table_filter f = filter_all(TABLE_BY_SERVICE);
	struct table *t = new_table(&f);
	uint64_t sum_rows = 0, sum_states = 0;

	/* n sockets in state number n, spread over ports */
	for (int s = TCP_STATE_ESTABLISHED; s <= TCP_STATE_MAX; s++)
		for (int i = 0; i < s; i++)
			add(t, sock(i % 2 ? AF_INET : AF_INET6, (enum tcp_state)s,
				    (uint16_t)(10000 + i), (uint16_t)(100 + s)));
	for (int s = TCP_STATE_ESTABLISHED; s <= TCP_STATE_MAX; s++) {
		ck_assert_uint_eq(table_state_total(t, (enum tcp_state)s), (unsigned)s);
		sum_states += table_state_total(t, (enum tcp_state)s);
	}
	ck_assert_uint_eq(table_total(t), 66);	/* 1 + 2 + ... + 11 */
	ck_assert_uint_eq(sum_states, 66);
	for (size_t i = 0; i < table_nrows(t); i++) {
		const struct table_row *r = table_row(t, i);
		uint64_t sum = 0;

		for (int s = 0; s <= TCP_STATE_MAX; s++)
			sum += r->n[s];
		ck_assert_uint_eq(sum, r->total);
		sum_rows += r->total;
	}
	ck_assert_uint_eq(sum_rows, 66);
	ck_assert_ptr_null(table_row(t, table_nrows(t)));
	ck_assert_uint_eq(table_state_total(t, 0), 0);
	ck_assert_uint_eq(table_state_total(t, TCP_STATE_NEW_SYN_RECV), 0);
	table_delete(t);
}
END_TEST

START_TEST(test_filter_is_copied)
{
	struct table_filter f = filter_all(TABLE_BY_LOCAL);
	struct table *t = new_table(&f);

	f.by = TABLE_BY_REMOTE;
	f.states = 0;
	f.ipv4 = false;
	ck_assert_int_eq(table_filter(t)->by, TABLE_BY_LOCAL);
	ck_assert_uint_eq(table_filter(t)->states, TCP_STATE_ALL_MASK);
	ck_assert(table_filter(t)->ipv4);
	add(t, sock(AF_INET, TCP_STATE_ESTABLISHED, 1000, 2000));
	expect_row(t, 1000, OUT, TCP_STATE_ESTABLISHED, 1, 1);
	table_delete(t);
	table_delete(NULL);
}
END_TEST

START_TEST(test_clear)
{
	struct table_filter f = filter_all(TABLE_BY_SERVICE);
	struct table *t = new_table(&f);

	add(t, sock(AF_INET, TCP_STATE_LISTEN, 443, 0));
	add(t, listener6(80, false));
	add(t, listener6(8443, true));
	add_server(t, 5, AF_INET, TCP_STATE_ESTABLISHED, 443, 50000);
	ck_assert_uint_eq(table_nrows(t), 3);

	table_clear(t);
	ck_assert_uint_eq(table_nrows(t), 0);
	ck_assert_ptr_null(table_row(t, 0));
	ck_assert_uint_eq(table_total(t), 0);
	for (int s = TCP_STATE_ESTABLISHED; s <= TCP_STATE_MAX; s++)
		ck_assert_uint_eq(table_state_total(t, (enum tcp_state)s), 0);
	ck_assert(!table_is_listening(t, AF_INET, 443));
	ck_assert(!table_is_listening(t, AF_INET, 80));
	ck_assert(!table_is_listening(t, AF_INET6, 80));
	ck_assert(!table_is_listening(t, AF_INET6, 8443));

	/* The listener is forgotten: a socket only it made inbound (its peer
	 * port is not ephemeral) is now outbound, and the old row's key starts
	 * again from zero. */
	add(t, sock(AF_INET, TCP_STATE_ESTABLISHED, 443, 61000));
	add(t, sock(AF_INET, TCP_STATE_ESTABLISHED, 1234, 443));
	ck_assert_uint_eq(table_nrows(t), 2);
	expect_row(t, 61000, OUT, TCP_STATE_ESTABLISHED, 1, 1);
	expect_row(t, 443, OUT, TCP_STATE_ESTABLISHED, 1, 1);
	expect_no_row(t, 443, IN);
	add(t, sock(AF_INET, TCP_STATE_LISTEN, 443, 0));
	expect_row(t, 443, IN, TCP_STATE_LISTEN, 1, 1);
	ck_assert_uint_eq(table_total(t), 3);
	table_delete(t);
}
END_TEST

/*
 * Rows built for the sort tests (service mode), added in an order that
 * matches none of the expected ones:
 *   22 out: 3 (1 established, 2 close_wait)
 *   5 in:   1 (listen)
 *   10 out: 3 (established)
 *   22 in:  3 (listen, 2 established)
 *   9000 in: 7 (listen, 5 established, 1 close_wait)
 */
static struct table *sort_table(void)
{
	struct table_filter f = filter_all(TABLE_BY_SERVICE);
	struct table *t = new_table(&f);

	add(t, sock(AF_INET, TCP_STATE_ESTABLISHED, 40000, 22));
	add_client(t, 2, AF_INET, TCP_STATE_CLOSE_WAIT, 40001, 22);
	add(t, sock(AF_INET, TCP_STATE_LISTEN, 5, 0));
	add_client(t, 3, AF_INET, TCP_STATE_ESTABLISHED, 41000, 10);
	add(t, sock(AF_INET, TCP_STATE_LISTEN, 22, 0));
	add_server(t, 2, AF_INET, TCP_STATE_ESTABLISHED, 22, 50000);
	add(t, listener6(9000, false));
	add_server(t, 5, AF_INET, TCP_STATE_ESTABLISHED, 9000, 51000);
	add(t, sock(AF_INET6, TCP_STATE_CLOSE_WAIT, 9000, 52000));
	ck_assert_uint_eq(table_nrows(t), 5);
	return t;
}

struct key {
	uint16_t port;
	enum table_dir dir;
};

static void expect_order(const struct table *t, const struct table_sort *sort,
			 const struct key *want, size_t n)
{
	const struct table_row *out[8];

	ck_assert_uint_eq(table_nrows(t), n);
	table_sorted(t, sort, out);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(out[i]->port == want[i].port && out[i]->dir == want[i].dir,
			      "position %zu: %u %s, expected %u %s", i, out[i]->port,
			      out[i]->dir == IN ? "in" : "out", want[i].port,
			      want[i].dir == IN ? "in" : "out");
}

START_TEST(test_sort_total)
{
	struct table *t = sort_table();
	struct table_sort s = { .key = TABLE_SORT_TOTAL };
	static const struct key want[] = {
		{ 9000, IN }, { 10, OUT }, { 22, IN }, { 22, OUT }, { 5, IN },
	};

	expect_order(t, &s, want, 5);
	table_delete(t);
}
END_TEST

START_TEST(test_sort_port)
{
	struct table *t = sort_table();
	struct table_sort s = { .key = TABLE_SORT_PORT };
	static const struct key want[] = {
		{ 5, IN }, { 10, OUT }, { 22, IN }, { 22, OUT }, { 9000, IN },
	};

	expect_order(t, &s, want, 5);
	table_delete(t);
}
END_TEST

START_TEST(test_sort_state)
{
	struct table *t = sort_table();
	struct table_sort s = { .key = TABLE_SORT_STATE, .state = TCP_STATE_CLOSE_WAIT };
	static const struct key want_cw[] = {
		{ 22, OUT }, { 9000, IN }, { 5, IN }, { 10, OUT }, { 22, IN },
	};
	static const struct key want_listen[] = {
		{ 5, IN }, { 22, IN }, { 9000, IN }, { 10, OUT }, { 22, OUT },
	};

	expect_order(t, &s, want_cw, 5);
	s.state = TCP_STATE_LISTEN;
	expect_order(t, &s, want_listen, 5);
	table_delete(t);
}
END_TEST

#define ALL_KEYS	(2u * 65536u)

/* Every row must be present once, with @per sockets of the expected state.
 * Problems are collected and asserted once: Check records each assertion
 * that passes, which would dominate a loop over 131072 rows. */
static void check_all_keys(const struct table *t, unsigned per)
{
	unsigned char *seen = calloc(ALL_KEYS, 1);
	const struct table_row **sorted = calloc(ALL_KEYS, sizeof(*sorted));
	struct table_sort by_port = { .key = TABLE_SORT_PORT };
	char problem[128] = "";

	ck_assert_ptr_nonnull(seen);
	ck_assert_ptr_nonnull(sorted);
	ck_assert_uint_eq(table_nrows(t), ALL_KEYS);
	ck_assert_uint_eq(table_total(t), (uint64_t)ALL_KEYS * per);
	ck_assert_uint_eq(table_state_total(t, TCP_STATE_ESTABLISHED), 65536u * per);
	ck_assert_uint_eq(table_state_total(t, TCP_STATE_LISTEN), 65536u * per);
	for (size_t i = 0; i < ALL_KEYS && !*problem; i++) {
		const struct table_row *r = table_row(t, i);
		unsigned key = (unsigned)r->dir << 16 | r->port;
		enum tcp_state st = r->dir == IN ? TCP_STATE_LISTEN : TCP_STATE_ESTABLISHED;

		if (seen[key])
			snprintf(problem, sizeof(problem), "row %u/%u twice", r->port, r->dir);
		else if (r->total != per || r->n[st] != per)
			snprintf(problem, sizeof(problem), "row %u/%u: total %llu, %s %u",
				 r->port, r->dir, (unsigned long long)r->total,
				 tcp_state_name(st), r->n[st]);
		seen[key] = 1;
	}
	ck_assert_msg(!*problem, "%s", problem);

	table_sorted(t, &by_port, sorted);
	for (size_t i = 0; i < ALL_KEYS && !*problem; i++)
		if (sorted[i]->port != i / 2 || sorted[i]->dir != (i % 2 ? OUT : IN))
			snprintf(problem, sizeof(problem), "position %zu: %u/%u", i,
				 sorted[i]->port, sorted[i]->dir);
	ck_assert_msg(!*problem, "sorted by port: %s", problem);
	free(sorted);
	free(seen);
}

START_TEST(test_every_key)
{
	struct table_filter f = filter_all(TABLE_BY_LOCAL);
	struct table *t = new_table(&f);

	/* By local port: sockets on a port before its listener are outbound,
	 * the listener makes the (port, in) row. */
	for (int round = 0; round < 2; round++) {
		unsigned per = round + 1;

		int failed = 0;

		for (unsigned p = 0; p < 65536; p++) {
			for (unsigned k = 0; k < per; k++) {
				struct sock_rec e = sock(AF_INET, TCP_STATE_ESTABLISHED,
							 (uint16_t)p, 1);

				failed |= table_add(t, &e) < 0;
			}
		}
		for (unsigned p = 0; p < 65536; p++) {
			for (unsigned k = 0; k < per; k++) {
				struct sock_rec l = sock(AF_INET, TCP_STATE_LISTEN, (uint16_t)p, 0);

				failed |= table_add(t, &l) < 0;
			}
		}
		ck_assert_int_eq(failed, 0);
		check_all_keys(t, per);
		table_clear(t);
		ck_assert_uint_eq(table_nrows(t), 0);
		ck_assert_uint_eq(table_total(t), 0);
		ck_assert(!table_is_listening(t, AF_INET, 65535));
	}
	table_delete(t);
}
END_TEST

static Suite *table_suite(void)
{
	Suite *s = suite_create("table");
	TCase *tc = tcase_create("classify");

	tcase_add_test(tc, test_service_server_and_client);
	tcase_add_test(tc, test_service_listener_alone);
	tcase_add_test(tc, test_dual_stack_listener_classifies_ipv4);
	tcase_add_test(tc, test_v6only_listener_does_not_classify_ipv4);
	tcase_add_test(tc, test_ipv4_listener_does_not_classify_ipv6);
	tcase_add_test(tc, test_by_local);
	tcase_add_test(tc, test_by_remote);
	tcase_add_loop_test(tc, test_direction_cases, 0,
			    (int)(sizeof(dir_cases) / sizeof(dir_cases[0])));
	tcase_add_test(tc, test_range_kept_and_copied);
	suite_add_tcase(s, tc);

	tc = tcase_create("filter");
	tcase_add_test(tc, test_state_filter);
	tcase_add_test(tc, test_family_filter_ipv4);
	tcase_add_test(tc, test_family_filter_ipv6);
	tcase_add_test(tc, test_port_filter_on_counted_port);
	tcase_add_test(tc, test_port_filter_by_local);
	tcase_add_test(tc, test_filter_is_copied);
	suite_add_tcase(s, tc);

	tc = tcase_create("aggregate");
	tcase_add_test(tc, test_totals);
	tcase_add_test(tc, test_clear);
	tcase_add_test(tc, test_sort_total);
	tcase_add_test(tc, test_sort_port);
	tcase_add_test(tc, test_sort_state);
	suite_add_tcase(s, tc);

	tc = tcase_create("scale");
	/* ~400,000 table_add()s and two 131072-row sorts, sanitized. */
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_every_key);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(table_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
