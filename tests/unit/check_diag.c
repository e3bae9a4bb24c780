/* SPDX-License-Identifier: MIT */
/*
 * check_diag: diag_parse() over SOCK_DIAG_BY_FAMILY messages synthesized
 * with libmnl.  Every field of struct sock_rec for IPv4, IPv6 and v4-mapped
 * sockets, every kernel state (NEW_SYN_RECV folded into SYN_RECV, unknown
 * ones rejected), foreign families, short messages (in exact-size buffers,
 * so the sanitizer catches an over-read), and the INET_DIAG_SKV6ONLY
 * attribute: present, absent, and malformed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <stdbool.h>
#include <stddef.h>
#include <libmnl/libmnl.h>

#include <check.h>

#include "diag.h"
#include "tcp_state.h"

/* A message buffer aligned for struct nlmsghdr. */
union msgbuf {
	char b[1024];
	struct nlmsghdr align;
};

struct spec {
	int family;
	int state;
	const char *src, *dst;	/* inet_pton() text in @family */
	uint16_t sport, dport;	/* host order */
	uint32_t rqueue, wqueue, uid, inode;
	uint64_t cookie;
};

/* A SOCK_DIAG_BY_FAMILY message for @s, without attributes. */
static struct nlmsghdr *put_sock(union msgbuf *mb, const struct spec *s)
{
	struct nlmsghdr *nlh;
	struct inet_diag_msg *m;

	memset(mb, 0, sizeof(*mb));
	nlh = mnl_nlmsg_put_header(mb->b);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_MULTI;
	m = mnl_nlmsg_put_extra_header(nlh, sizeof(*m));
	m->idiag_family = (uint8_t)s->family;
	m->idiag_state = (uint8_t)s->state;
	m->id.idiag_sport = htons(s->sport);
	m->id.idiag_dport = htons(s->dport);
	if (s->src)
		ck_assert_int_eq(inet_pton(s->family, s->src, m->id.idiag_src), 1);
	if (s->dst)
		ck_assert_int_eq(inet_pton(s->family, s->dst, m->id.idiag_dst), 1);
	m->id.idiag_cookie[0] = (uint32_t)s->cookie;
	m->id.idiag_cookie[1] = (uint32_t)(s->cookie >> 32);
	m->idiag_rqueue = s->rqueue;
	m->idiag_wqueue = s->wqueue;
	m->idiag_uid = s->uid;
	m->idiag_inode = s->inode;
	return nlh;
}

static struct inet_diag_msg *msg_of(struct nlmsghdr *nlh)
{
	return mnl_nlmsg_get_payload(nlh);
}

/* A zero-length INET_DIAG_SKV6ONLY: the kernel always sends one byte. */
static void put_empty_v6only(struct nlmsghdr *nlh)
{
	static const char none;

	mnl_attr_put(nlh, INET_DIAG_SKV6ONLY, 0, &none);
}

static void expect_addr(const uint8_t *got, int family, const char *text)
{
	uint8_t want[16];

	memset(want, 0, sizeof(want));
	ck_assert_int_eq(inet_pton(family, text, want), 1);
	ck_assert_msg(memcmp(got, want, 16) == 0, "address is not %s", text);
}

START_TEST(test_ipv4)
{
	union msgbuf mb;
	struct spec s = {
		.family = AF_INET, .state = TCP_STATE_ESTABLISHED,
		.src = "192.0.2.1", .dst = "198.51.100.77",
		.sport = 0x1234, .dport = 0xabcd,
		.rqueue = 11, .wqueue = 22, .uid = 1000, .inode = 987654321,
		.cookie = 0x0123456789abcdefULL,
	};
	struct nlmsghdr *nlh = put_sock(&mb, &s);
	struct sock_rec rec;

	/* The kernel zeroes the rest of an IPv4 address; junk there must not
	 * reach the record. */
	msg_of(nlh)->id.idiag_src[1] = 0xffffffff;
	msg_of(nlh)->id.idiag_dst[3] = 0xffffffff;
	memset(&rec, 0xee, sizeof(rec));
	ck_assert_int_eq(diag_parse(nlh, 0, &rec), 0);
	ck_assert_uint_eq(rec.family, AF_INET);
	ck_assert_uint_eq(rec.state, TCP_STATE_ESTABLISHED);
	ck_assert_uint_eq(rec.sport, 0x1234);
	ck_assert_uint_eq(rec.dport, 0xabcd);
	expect_addr(rec.saddr, AF_INET, "192.0.2.1");
	expect_addr(rec.daddr, AF_INET, "198.51.100.77");
	ck_assert_uint_eq(rec.rqueue, 11);
	ck_assert_uint_eq(rec.wqueue, 22);
	ck_assert_uint_eq(rec.uid, 1000);
	ck_assert_uint_eq(rec.inode, 987654321);
	ck_assert_uint_eq(rec.cookie, 0x0123456789abcdefULL);
	ck_assert_uint_eq(rec.v6only, 0);
	ck_assert_uint_eq(rec.has_info, 0);
}
END_TEST

/* Unread bytes: the FIN's sequence number is not a byte. */
START_TEST(test_unread)
{
	struct sock_rec r = { .state = TCP_STATE_CLOSE_WAIT, .rqueue = 1 };

	ck_assert_uint_eq(diag_unread(&r), 0);	/* ss: Recv-Q 1 */
	r.rqueue = 33;
	ck_assert_uint_eq(diag_unread(&r), 32);
	r.rqueue = 0;				/* the EOF was read */
	ck_assert_uint_eq(diag_unread(&r), 0);
	r = (struct sock_rec){ .state = TCP_STATE_LAST_ACK, .rqueue = 1 };
	ck_assert_uint_eq(diag_unread(&r), 0);
	r = (struct sock_rec){ .state = TCP_STATE_CLOSING, .rqueue = 5 };
	ck_assert_uint_eq(diag_unread(&r), 4);
	/* No FIN in yet: every byte counts. */
	r = (struct sock_rec){ .state = TCP_STATE_ESTABLISHED, .rqueue = 1 };
	ck_assert_uint_eq(diag_unread(&r), 1);
	r = (struct sock_rec){ .state = TCP_STATE_FIN_WAIT2, .rqueue = 7 };
	ck_assert_uint_eq(diag_unread(&r), 7);
	r = (struct sock_rec){ .state = TCP_STATE_LISTEN, .rqueue = 3 };
	ck_assert_uint_eq(diag_unread(&r), 3);
}
END_TEST

START_TEST(test_ipv6)
{
	union msgbuf mb;
	struct spec s = {
		.family = AF_INET6, .state = TCP_STATE_CLOSE_WAIT,
		.src = "2001:db8::1", .dst = "2001:db8:ffff:1:2:3:4:5",
		.sport = 443, .dport = 65535,
		.rqueue = 0xffffffff, .wqueue = 1, .uid = 0, .inode = 4,
		.cookie = 0xfedcba9800000001ULL,
	};
	struct sock_rec rec;

	ck_assert_int_eq(diag_parse(put_sock(&mb, &s), 0, &rec), 0);
	ck_assert_uint_eq(rec.family, AF_INET6);
	ck_assert_uint_eq(rec.state, TCP_STATE_CLOSE_WAIT);
	ck_assert_uint_eq(rec.sport, 443);
	ck_assert_uint_eq(rec.dport, 65535);
	expect_addr(rec.saddr, AF_INET6, "2001:db8::1");
	expect_addr(rec.daddr, AF_INET6, "2001:db8:ffff:1:2:3:4:5");
	ck_assert_uint_eq(rec.rqueue, 0xffffffff);
	ck_assert_uint_eq(rec.wqueue, 1);
	ck_assert_uint_eq(rec.inode, 4);
	ck_assert_uint_eq(rec.cookie, 0xfedcba9800000001ULL);
}
END_TEST

START_TEST(test_v4_mapped)
{
	union msgbuf mb;
	struct spec s = {
		.family = AF_INET6, .state = TCP_STATE_ESTABLISHED,
		.src = "::ffff:127.0.0.1", .dst = "::ffff:127.0.0.2",
		.sport = 8080, .dport = 40000,
	};
	struct sock_rec rec;
	static const uint8_t mapped[16] = { [10] = 0xff, [11] = 0xff, 127, 0, 0, 1 };

	ck_assert_int_eq(diag_parse(put_sock(&mb, &s), 0, &rec), 0);
	/* still an IPv6 socket: the kernel dumps it with the IPv6 ones */
	ck_assert_uint_eq(rec.family, AF_INET6);
	ck_assert_mem_eq(rec.saddr, mapped, 16);
	expect_addr(rec.daddr, AF_INET6, "::ffff:127.0.0.2");
	ck_assert_uint_eq(rec.sport, 8080);
	ck_assert_uint_eq(rec.dport, 40000);
}
END_TEST

/* Kernel state numbers 0..13 and 255 -> expected state, or 0 to reject. */
static const struct {
	int kernel;
	int want;
} state_cases[] = {
	{ 0, 0 },
	{ 1, TCP_STATE_ESTABLISHED },
	{ 2, TCP_STATE_SYN_SENT },
	{ 3, TCP_STATE_SYN_RECV },
	{ 4, TCP_STATE_FIN_WAIT1 },
	{ 5, TCP_STATE_FIN_WAIT2 },
	{ 6, TCP_STATE_TIME_WAIT },
	{ 7, TCP_STATE_CLOSE },
	{ 8, TCP_STATE_CLOSE_WAIT },
	{ 9, TCP_STATE_LAST_ACK },
	{ 10, TCP_STATE_LISTEN },
	{ 11, TCP_STATE_CLOSING },
	{ 12, TCP_STATE_SYN_RECV },	/* NEW_SYN_RECV: a request socket */
	{ 13, 0 },
	{ 255, 0 },
};

START_TEST(test_states)
{
	union msgbuf mb;
	struct spec s = {
		.family = _i % 2 ? AF_INET : AF_INET6,
		.state = state_cases[_i].kernel, .sport = 1, .dport = 2,
	};
	struct sock_rec rec;
	int ret = diag_parse(put_sock(&mb, &s), 0, &rec);

	if (!state_cases[_i].want) {
		ck_assert_msg(ret == -EBADMSG, "state %d accepted", state_cases[_i].kernel);
		return;
	}
	ck_assert_int_eq(ret, 0);
	ck_assert_uint_eq(rec.state, state_cases[_i].want);
}
END_TEST

START_TEST(test_foreign_family)
{
	static const int families[] = { AF_UNIX, AF_UNSPEC, AF_NETLINK, AF_PACKET };
	union msgbuf mb;
	struct spec s = { .family = families[_i], .state = TCP_STATE_ESTABLISHED };
	struct sock_rec rec;

	ck_assert_int_eq(diag_parse(put_sock(&mb, &s), 0, &rec), -EBADMSG);
}
END_TEST

/* Lengths around header + inet_diag_msg; the message is copied into a heap
 * buffer of exactly its nlmsg_len so reading past it is caught. */
static const struct {
	size_t len;
	int ret;
} short_cases[] = {
	{ MNL_NLMSG_HDRLEN, -EBADMSG },
	{ MNL_NLMSG_HDRLEN + 1, -EBADMSG },
	{ MNL_NLMSG_HDRLEN + sizeof(struct inet_diag_msg) - 4, -EBADMSG },
	{ MNL_NLMSG_HDRLEN + sizeof(struct inet_diag_msg) - 1, -EBADMSG },
	{ MNL_NLMSG_HDRLEN + sizeof(struct inet_diag_msg), 0 },
};

START_TEST(test_short_message)
{
	union msgbuf mb;
	struct spec s = { .family = AF_INET, .state = TCP_STATE_ESTABLISHED,
			  .sport = 80, .dport = 1 };
	struct nlmsghdr *nlh = put_sock(&mb, &s), *copy;
	size_t len = short_cases[_i].len;
	struct sock_rec rec;

	nlh->nlmsg_len = (uint32_t)len;
	copy = malloc(len);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, nlh, len);
	ck_assert_int_eq(diag_parse(copy, 0, &rec), short_cases[_i].ret);
	if (short_cases[_i].ret == 0)
		ck_assert_uint_eq(rec.sport, 80);
	free(copy);
}
END_TEST

enum attr {
	ATTR_NONE,
	ATTR_V6ONLY_0,
	ATTR_V6ONLY_1,
	ATTR_V6ONLY_2,
	ATTR_V6ONLY_EMPTY,	/* zero-length payload: malformed */
	ATTR_UNKNOWN_THEN_1,	/* a newer kernel's attribute first */
};

static const struct {
	int family, state;
	enum attr attr;
	unsigned flags;
	int ret;
	int v6only;
} attr_cases[] = {
	{ AF_INET6, TCP_STATE_LISTEN,      ATTR_V6ONLY_1,       0, 0, 1 },
	{ AF_INET6, TCP_STATE_LISTEN,      ATTR_V6ONLY_0,       0, 0, 0 },
	{ AF_INET6, TCP_STATE_LISTEN,      ATTR_NONE,           0, 0, 0 },
	{ AF_INET6, TCP_STATE_LISTEN,      ATTR_V6ONLY_2,       0, 0, 1 },
	{ AF_INET6, TCP_STATE_LISTEN,      ATTR_UNKNOWN_THEN_1, 0, 0, 1 },
	{ AF_INET6, TCP_STATE_LISTEN,      ATTR_V6ONLY_EMPTY,   0, -EBADMSG, 0 },
	/* attributes of other sockets are walked only when asked */
	{ AF_INET6, TCP_STATE_ESTABLISHED, ATTR_V6ONLY_1,       0, 0, 0 },
	{ AF_INET6, TCP_STATE_ESTABLISHED, ATTR_V6ONLY_1,       DIAG_PARSE_ATTRS, 0, 1 },
	{ AF_INET6, TCP_STATE_ESTABLISHED, ATTR_V6ONLY_EMPTY,   0, 0, 0 },
	{ AF_INET6, TCP_STATE_ESTABLISHED, ATTR_V6ONLY_EMPTY,   DIAG_PARSE_ATTRS, -EBADMSG, 0 },
	{ AF_INET,  TCP_STATE_LISTEN,      ATTR_V6ONLY_EMPTY,   0, 0, 0 },
	{ AF_INET,  TCP_STATE_LISTEN,      ATTR_V6ONLY_EMPTY,   DIAG_PARSE_ATTRS, -EBADMSG, 0 },
};

START_TEST(test_attributes)
{
	union msgbuf mb;
	struct spec s = { .family = attr_cases[_i].family, .state = attr_cases[_i].state,
			  .sport = 443 };
	struct nlmsghdr *nlh = put_sock(&mb, &s);
	struct sock_rec rec;
	int ret;

	switch (attr_cases[_i].attr) {
	case ATTR_NONE:
		break;
	case ATTR_V6ONLY_0:
		mnl_attr_put_u8(nlh, INET_DIAG_SKV6ONLY, 0);
		break;
	case ATTR_V6ONLY_1:
		mnl_attr_put_u8(nlh, INET_DIAG_SKV6ONLY, 1);
		break;
	case ATTR_V6ONLY_2:
		mnl_attr_put_u8(nlh, INET_DIAG_SKV6ONLY, 2);
		break;
	case ATTR_V6ONLY_EMPTY:
		put_empty_v6only(nlh);
		break;
	case ATTR_UNKNOWN_THEN_1:
		mnl_attr_put_u32(nlh, 200, 0xffffffff);
		mnl_attr_put_u8(nlh, INET_DIAG_SKV6ONLY, 1);
		break;
	}
	ret = diag_parse(nlh, attr_cases[_i].flags, &rec);
	ck_assert_int_eq(ret, attr_cases[_i].ret);
	if (ret == 0) {
		ck_assert_uint_eq(rec.v6only, attr_cases[_i].v6only);
		ck_assert_uint_eq(rec.sport, 443);
	}
}
END_TEST

/* INET_DIAG_CGROUP_ID: read when attributes are walked, 8 bytes or the
 * message is malformed. */
START_TEST(test_cgroup_id)
{
	union msgbuf mb;
	struct spec s = { .family = AF_INET, .state = TCP_STATE_CLOSE_WAIT, .sport = 8080 };
	struct nlmsghdr *nlh = put_sock(&mb, &s);
	struct sock_rec rec;

	mnl_attr_put_u64(nlh, 21 /* INET_DIAG_CGROUP_ID */, 0x123456789aULL);
	ck_assert_int_eq(diag_parse(nlh, DIAG_PARSE_ATTRS, &rec), 0);
	ck_assert_uint_eq(rec.cgroup_id, 0x123456789aULL);
	ck_assert_int_eq(diag_parse(nlh, 0, &rec), 0);
	ck_assert_uint_eq(rec.cgroup_id, 0);

	nlh = put_sock(&mb, &s);
	mnl_attr_put_u32(nlh, 21, 7);
	ck_assert_int_eq(diag_parse(nlh, DIAG_PARSE_ATTRS, &rec), -EBADMSG);
}
END_TEST

START_TEST(test_attr_overruns_message)
{
	union msgbuf mb;
	struct spec s = { .family = AF_INET6, .state = TCP_STATE_LISTEN, .sport = 443 };
	struct nlmsghdr *nlh = put_sock(&mb, &s);
	struct nlattr *a;
	struct sock_rec rec;

	/* An INET_DIAG_SKV6ONLY whose length runs past the end of the message:
	 * the listener's dual-stack flag cannot be known, so the message is
	 * malformed (diag.h), not a dual-stack listener. */
	a = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u8(nlh, INET_DIAG_SKV6ONLY, 1);
	a->nla_len = 64;
	ck_assert_int_eq(diag_parse(nlh, 0, &rec), -EBADMSG);
}
END_TEST

/* INET_DIAG_INFO: the kernel's struct tcp_info is as long as the kernel
 * says (older: shorter, newer: longer than ours).  has_info only when the
 * fields read are all there; only parsed when asked (DIAG_PARSE_ATTRS). */
static const struct {
	size_t len;		/* payload bytes of the attribute */
	unsigned flags;
	bool has_info;
} info_cases[] = {
	{ sizeof(struct tcp_info), DIAG_PARSE_ATTRS, true },
	{ sizeof(struct tcp_info) + 40, DIAG_PARSE_ATTRS, true },	/* newer kernel */
	{ offsetof(struct tcp_info, tcpi_last_ack_recv) + 4, DIAG_PARSE_ATTRS, true },
	{ offsetof(struct tcp_info, tcpi_last_ack_recv) + 3, DIAG_PARSE_ATTRS, false },
	{ 8, DIAG_PARSE_ATTRS, false },
	{ sizeof(struct tcp_info), 0, false },				/* not asked */
};

START_TEST(test_tcp_info)
{
	union msgbuf mb;
	struct spec s = { .family = AF_INET, .state = TCP_STATE_CLOSE_WAIT, .sport = 8080,
			  .dport = 40000, .inode = 77 };
	struct nlmsghdr *nlh = put_sock(&mb, &s);
	unsigned char payload[sizeof(struct tcp_info) + 40];
	struct tcp_info ti;
	struct sock_rec rec;

	memset(payload, 0xee, sizeof(payload));
	memset(&ti, 0, sizeof(ti));
	ti.tcpi_state = TCP_STATE_CLOSE_WAIT;
	ti.tcpi_last_data_recv = 4084;
	ti.tcpi_last_ack_recv = 2040;
	memcpy(payload, &ti, sizeof(ti));
	mnl_attr_put(nlh, INET_DIAG_INFO, info_cases[_i].len, payload);
	ck_assert_int_eq(diag_parse(nlh, info_cases[_i].flags, &rec), 0);
	ck_assert_uint_eq(rec.has_info, info_cases[_i].has_info);
	ck_assert_uint_eq(rec.info_last_ack_recv, info_cases[_i].has_info ? 2040 : 0);
	ck_assert_uint_eq(rec.info_last_data_recv, info_cases[_i].has_info ? 4084 : 0);
	ck_assert_uint_eq(rec.inode, 77);
	ck_assert_uint_eq(rec.sport, 8080);
}
END_TEST

static Suite *diag_suite(void)
{
	Suite *s = suite_create("diag");
	TCase *tc = tcase_create("fields");

	tcase_add_test(tc, test_ipv4);
	tcase_add_test(tc, test_unread);
	tcase_add_test(tc, test_ipv6);
	tcase_add_test(tc, test_v4_mapped);
	tcase_add_loop_test(tc, test_states, 0, sizeof(state_cases) / sizeof(state_cases[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_loop_test(tc, test_foreign_family, 0, 4);
	tcase_add_loop_test(tc, test_short_message, 0,
			    sizeof(short_cases) / sizeof(short_cases[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("attributes");
	tcase_add_loop_test(tc, test_attributes, 0, sizeof(attr_cases) / sizeof(attr_cases[0]));
	tcase_add_test(tc, test_cgroup_id);
	tcase_add_test(tc, test_attr_overruns_message);
	tcase_add_loop_test(tc, test_tcp_info, 0, sizeof(info_cases) / sizeof(info_cases[0]));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(diag_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
