/* SPDX-License-Identifier: MIT */
/*
 * check_leakstate: the --state-file format.  A round trip through
 * leakstate_encode() and leakstate_parse(); every prefix of a valid file
 * (truncation) and byte flips in the header refused without a crash;
 * garbage, a wrong magic or version, counts past the limits (claimed, with
 * no bytes behind them), trailing bytes, and each invalid entry refused
 * with its reason; the socket cap dropping the newest births; and the model
 * seeded from a state measuring growth and ages from it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <check.h>

#include "diag.h"
#include "leaks.h"
#include "leakstate.h"

#define CW	TCP_STATE_BIT(TCP_STATE_CLOSE_WAIT)

/* A valid state of @ns sockets and 2 groups, encoded into *buf. */
static size_t sample_file(unsigned char **buf, size_t ns)
{
	struct leakstate st = { .states = CW | TCP_STATE_BIT(TCP_STATE_LAST_ACK),
				.time_ms = 1700000000000, .nsocks = ns, .ngroups = 2 };
	size_t len = 0;
	FILE *f;

	st.socks = calloc(ns ? ns : 1, sizeof(*st.socks));
	st.groups = calloc(2, sizeof(*st.groups));
	ck_assert_ptr_nonnull(st.socks);
	ck_assert_ptr_nonnull(st.groups);
	for (size_t i = 0; i < ns; i++)
		st.socks[i] = (struct leakstate_sock){ .cookie = 1000 + i,
			.born_ms = st.time_ms - 1000 * (int64_t)i, .state = TCP_STATE_CLOSE_WAIT };
	st.groups[0] = (struct leakstate_group){ 8080, 0, TCP_STATE_CLOSE_WAIT, 7 };
	st.groups[1] = (struct leakstate_group){ 5432, 1, TCP_STATE_LAST_ACK, 1 };
	f = open_memstream((char **)buf, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(leakstate_encode(f, &st), 0);
	fclose(f);
	leakstate_free(&st);
	return len;
}

START_TEST(test_round_trip)
{
	unsigned char *buf;
	size_t len = sample_file(&buf, 3);
	struct leakstate st;
	char err[128];

	ck_assert_uint_eq(len, 32 + 3 * 16 + 2 * 8);
	ck_assert_int_eq(leakstate_parse(buf, len, &st, err, sizeof(err)), 0);
	ck_assert_uint_eq(st.nsocks, 3);
	ck_assert_uint_eq(st.ngroups, 2);
	ck_assert_int_eq(st.time_ms, 1700000000000);
	ck_assert_uint_eq(st.socks[2].cookie, 1002);
	ck_assert_int_eq(st.socks[2].born_ms, 1700000000000 - 2000);
	ck_assert_uint_eq(st.socks[2].state, TCP_STATE_CLOSE_WAIT);
	ck_assert_uint_eq(st.groups[1].port, 5432);
	ck_assert_uint_eq(st.groups[1].dir, 1);
	ck_assert_uint_eq(st.groups[1].state, TCP_STATE_LAST_ACK);
	ck_assert_uint_eq(st.groups[0].count, 7);
	leakstate_free(&st);
	free(buf);
}
END_TEST

START_TEST(test_truncated)
{
	unsigned char *buf;
	size_t len = sample_file(&buf, 5);
	struct leakstate st;
	char err[128];

	/* Every prefix, the empty one included, is refused. */
	for (size_t n = 0; n < len; n++) {
		unsigned char *copy = malloc(n ? n : 1);

		memcpy(copy, buf, n);
		ck_assert_int_eq(leakstate_parse(copy, n, &st, err, sizeof(err)), -EBADMSG);
		ck_assert_ptr_null(st.socks);
		free(copy);
	}
	ck_assert_int_eq(leakstate_parse(buf, 20, &st, err, sizeof(err)), -EBADMSG);
	ck_assert_str_eq(err, "truncated header");
	ck_assert_int_eq(leakstate_parse(buf, len - 1, &st, err, sizeof(err)), -EBADMSG);
	ck_assert_str_eq(err, "truncated");
	free(buf);
}
END_TEST

START_TEST(test_garbage)
{
	unsigned char *buf, junk[4096];
	size_t len = sample_file(&buf, 2);
	struct leakstate st;
	char err[128];
	unsigned seed = 12345;

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(rand_r(&seed) >> 7);
	ck_assert_int_eq(leakstate_parse(junk, sizeof(junk), &st, err, sizeof(err)), -EBADMSG);
	ck_assert_str_eq(err, "not a portstat state file");
	/* Garbage behind a valid magic and version: refused, no crash. */
	for (int k = 0; k < 2000; k++) {
		memcpy(junk, buf, 12);
		for (size_t i = 12; i < len; i++)
			junk[i] = (unsigned char)(rand_r(&seed) >> 7);
		if (leakstate_parse(junk, len, &st, err, sizeof(err)) == 0)
			leakstate_free(&st);	/* a valid one by chance */
	}
	buf[8] = 2;	/* version */
	ck_assert_int_eq(leakstate_parse(buf, len, &st, err, sizeof(err)), -EBADMSG);
	ck_assert_str_eq(err, "unknown version");
	free(buf);
}
END_TEST

START_TEST(test_huge_counts)
{
	unsigned char *buf;
	size_t len = sample_file(&buf, 1);
	struct leakstate st;
	char err[128];

	/* Four billion sockets claimed: refused before any allocation. */
	memset(buf + 24, 0xff, 4);
	ck_assert_int_eq(leakstate_parse(buf, len, &st, err, sizeof(err)), -EBADMSG);
	ck_assert_str_eq(err, "counts past the limits");
	/* Within the limits, but not there. */
	buf[24] = 0, buf[25] = 0, buf[26] = 0x10, buf[27] = 0;	/* 1 Mi */
	ck_assert_int_eq(leakstate_parse(buf, len, &st, err, sizeof(err)), -EBADMSG);
	ck_assert_str_eq(err, "truncated");
	free(buf);
	/* One more group than there is bytes for, and one byte too many. */
	len = sample_file(&buf, 1);
	buf[28] = 3;
	ck_assert_int_eq(leakstate_parse(buf, len, &st, err, sizeof(err)), -EBADMSG);
	buf[28] = 1;
	ck_assert_int_eq(leakstate_parse(buf, len, &st, err, sizeof(err)), -EBADMSG);
	ck_assert_str_eq(err, "trailing bytes");
	free(buf);
}
END_TEST

/* Each invalid field of an entry, at its offset in a 1-socket file. */
START_TEST(test_invalid_entries)
{
	static const struct {
		size_t off;
		unsigned char v;
	} cases[] = {
		{ 32 + 0, 0 },		/* cookie 0 (with the other bytes 0 below) */
		{ 32 + 8, 1 },		/* state 1: established */
		{ 32 + 15, 0x7f },	/* born after the sample */
		{ 48 + 2, 2 },		/* direction 2 */
		{ 48 + 3, TCP_STATE_FIN_WAIT1 },	/* a state not in the header's */
		{ 48 + 4, 0 },		/* count 0 (with the other bytes 0 below) */
		{ 12, 1 },		/* states: ESTABLISHED's bit */
		{ 23, 0x7f },		/* time past LEAKS_MAX_TIME_MS */
	};
	struct leakstate st;
	char err[128];

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		unsigned char *buf;
		size_t len = sample_file(&buf, 1);

		ck_assert_uint_eq(len, 32 + 16 + 16);
		if (cases[c].off == 32)
			memset(buf + 32, 0, 8);
		if (cases[c].off == 52)
			memset(buf + 52, 0, 4);
		buf[cases[c].off] = cases[c].v;
		ck_assert_msg(leakstate_parse(buf, len, &st, err, sizeof(err)) == -EBADMSG,
			      "case %zu accepted", c);
		ck_assert_ptr_null(st.socks);
		free(buf);
	}
}
END_TEST

START_TEST(test_cap)
{
	size_t n = LEAKSTATE_MAX_SOCKS + 3, len = 0;
	struct leakstate st = { .states = CW, .time_ms = 5000000, .nsocks = n }, back;
	unsigned char *buf = NULL;
	char err[128];
	FILE *f;

	st.socks = malloc(n * sizeof(*st.socks));
	ck_assert_ptr_nonnull(st.socks);
	/* Births newest first: the cap keeps the LEAKSTATE_MAX_SOCKS oldest. */
	for (size_t i = 0; i < n; i++)
		st.socks[i] = (struct leakstate_sock){ .cookie = i + 1,
			.born_ms = (int64_t)(n - i), .state = TCP_STATE_CLOSE_WAIT };
	f = open_memstream((char **)&buf, &len);
	ck_assert_int_eq(leakstate_encode(f, &st), 0);
	fclose(f);
	ck_assert_uint_eq(len, 32 + (size_t)LEAKSTATE_MAX_SOCKS * 16);
	ck_assert_int_eq(leakstate_parse(buf, len, &back, err, sizeof(err)), 0);
	ck_assert_uint_eq(back.nsocks, LEAKSTATE_MAX_SOCKS);
	for (size_t i = 0; i < back.nsocks; i++)
		ck_assert_int_le(back.socks[i].born_ms, LEAKSTATE_MAX_SOCKS);
	leakstate_free(&back);
	leakstate_free(&st);
	free(buf);
}
END_TEST

/* A model seeded from a state: ages from the births, growth from the
 * counts, over the time since the state's sample (20 minutes: past -i's
 * five-minute window, which a restored run does not use). */
static struct sock_rec cw_rec(uint64_t cookie, uint16_t lport)
{
	struct sock_rec r = { .family = AF_INET, .state = TCP_STATE_CLOSE_WAIT,
			      .sport = lport, .dport = 40000 + (uint16_t)cookie,
			      .cookie = cookie, .inode = 0 };

	r.saddr[0] = 127, r.saddr[3] = 1;
	r.daddr[0] = 127, r.daddr[3] = 1;
	return r;
}

START_TEST(test_restore)
{
	struct leaks_opts o = { .filter = { .by = TABLE_BY_SERVICE, .states = CW,
					    .ipv4 = true, .ipv6 = true }, .track = true };
	struct leakstate_sock socks[] = { { 11, 1000000, TCP_STATE_CLOSE_WAIT } };
	struct leakstate_group groups[] = { { 8080, 0, TCP_STATE_CLOSE_WAIT, 1 } };
	struct leakstate st = { .states = CW, .time_ms = 1000000, .nsocks = 1, .ngroups = 1,
				.socks = socks, .groups = groups }, out;
	struct timespec now = { .tv_sec = 1000 + 1200 };
	const struct leaks_group *g;
	struct leaks *l;

	ck_assert_int_eq(leaks_new(&l, &o), 0);
	ck_assert_int_eq(leaks_state_restore(l, &st), 0);
	leaks_begin(l, &now);
	for (uint64_t c = 11; c <= 13; c++) {
		struct sock_rec r = cw_rec(c, 8080);

		ck_assert_int_eq(leaks_add(&r, l), 0);
	}
	ck_assert_int_eq(leaks_end(l, true), 0);
	ck_assert_uint_eq(leaks_ngroups(l), 1);
	g = leaks_group(l, 0);
	ck_assert_uint_eq(g->count, 3);
	ck_assert(g->has_age);
	ck_assert_uint_eq(g->oldest_ms, 1200000);	/* cookie 11, first seen 20 min ago */
	ck_assert(g->has_growth);
	ck_assert(g->growth_per_min > 0.0999 && g->growth_per_min < 0.1001);	/* 2 in 20 min */
	ck_assert_int_eq(leaks_state_take(l, &out), 0);
	ck_assert_uint_eq(out.nsocks, 3);
	ck_assert_uint_eq(out.ngroups, 1);
	ck_assert_uint_eq(out.groups[0].count, 3);
	ck_assert_int_eq(out.time_ms, 2200000);
	for (size_t i = 0; i < out.nsocks; i++)
		ck_assert_int_eq(out.socks[i].born_ms, out.socks[i].cookie == 11 ? 1000000 : 2200000);
	leakstate_free(&out);
	leaks_delete(l);
}
END_TEST

static Suite *leakstate_suite(void)
{
	Suite *s = suite_create("leakstate");
	TCase *tc = tcase_create("format");

	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_huge_counts);
	tcase_add_test(tc, test_invalid_entries);
	tcase_add_test(tc, test_cap);
	tcase_add_test(tc, test_restore);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(leakstate_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
