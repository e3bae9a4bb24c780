/* SPDX-License-Identifier: MIT */
/*
 * series: membership of the exported Prometheus rows across samples:
 * entry, hysteresis, displacement, sticky allowlists, the bound, and the
 * per-namespace map's sweep.
 */
#include <check.h>
#include <stdlib.h>

#include "series.h"

#define MAXROWS 8

/* One sample: rows given as (port, total), direction in, already in
 * descending total order (what view_sorted_rows() gives). */
struct sample {
	struct table_row rows[MAXROWS];
	const struct table_row *p[MAXROWS];
	size_t n;
};

static void make(struct sample *s, const unsigned (*spec)[2], size_t n)
{
	s->n = n;
	for (size_t i = 0; i < n; i++) {
		s->rows[i] = (struct table_row){ .port = (uint16_t)spec[i][0], .dir = TABLE_DIR_IN,
						 .total = spec[i][1] };
		s->rows[i].n[TCP_STATE_ESTABLISHED] = spec[i][1];
		s->p[i] = &s->rows[i];
	}
}

static const struct table_sort by_total = { .key = TABLE_SORT_TOTAL };

static void update(struct series *set, const unsigned (*spec)[2], size_t n)
{
	struct sample s;

	make(&s, spec, n);
	ck_assert_int_eq(series_update(set, s.p, s.n, &by_total), 0);
}

START_TEST(test_first_sample_is_top)
{
	struct series *set;
	static const unsigned a[][2] = { { 80, 50 }, { 443, 40 }, { 22, 30 }, { 25, 20 } };

	ck_assert_int_eq(series_new(&set, 2, false), 0);
	update(set, a, 4);
	ck_assert_uint_eq(series_count(set), 2);
	ck_assert(series_has(set, 80, TABLE_DIR_IN));
	ck_assert(series_has(set, 443, TABLE_DIR_IN));
	ck_assert(!series_has(set, 22, TABLE_DIR_IN));
	ck_assert(!series_has(set, 80, TABLE_DIR_OUT));
	series_delete(set);
}
END_TEST

START_TEST(test_hysteresis_keeps_members)
{
	struct series *set;
	static const unsigned a[][2] = { { 80, 50 }, { 443, 40 }, { 22, 30 }, { 25, 20 } };
	/* 443 falls to rank 3 (within 2 x 2): it stays; 22 (rank 1, not
	 * twice 443's count) does not displace it. */
	static const unsigned b[][2] = { { 80, 50 }, { 22, 41 }, { 25, 39 }, { 443, 39 } };

	ck_assert_int_eq(series_new(&set, 2, false), 0);
	update(set, a, 4);
	update(set, b, 4);
	ck_assert(series_has(set, 80, TABLE_DIR_IN));
	ck_assert(series_has(set, 443, TABLE_DIR_IN));
	ck_assert(!series_has(set, 22, TABLE_DIR_IN));
	series_delete(set);
}
END_TEST

START_TEST(test_displaced_by_twice)
{
	struct series *set;
	static const unsigned a[][2] = { { 80, 50 }, { 443, 40 }, { 22, 30 } };
	/* 22 counts more than twice 443, which ranks past the bound. */
	static const unsigned b[][2] = { { 80, 50 }, { 22, 90 }, { 443, 40 } };

	ck_assert_int_eq(series_new(&set, 2, false), 0);
	update(set, a, 3);
	/* b is not sorted by total on purpose: rank is the order given. */
	update(set, b, 3);
	ck_assert(series_has(set, 22, TABLE_DIR_IN));
	ck_assert(!series_has(set, 443, TABLE_DIR_IN));
	series_delete(set);
}
END_TEST

START_TEST(test_absent_member_stays_with_zeros)
{
	struct series *set;
	static const unsigned a[][2] = { { 80, 50 }, { 443, 40 } };
	static const unsigned b[][2] = { { 80, 50 } };
	size_t i;
	uint16_t port;
	uint8_t dir;

	ck_assert_int_eq(series_new(&set, 2, false), 0);
	update(set, a, 2);
	update(set, b, 1);
	ck_assert_uint_eq(series_count(set), 2);
	for (i = 0; i < 2; i++) {
		series_get(set, i, &port, &dir);
		ck_assert(series_present(set, i) == (port == 80));
	}
	series_delete(set);
}
END_TEST

START_TEST(test_leaves_past_twice_the_bound)
{
	struct series *set;
	static const unsigned a[][2] = { { 80, 50 }, { 443, 40 } };
	static const unsigned b[][2] = { { 1, 9 }, { 2, 8 }, { 3, 7 }, { 4, 6 }, { 443, 1 } };

	ck_assert_int_eq(series_new(&set, 2, false), 0);
	update(set, a, 2);
	update(set, b, 5);
	/* 80 is absent (rank past 4), 443 ranks 4: both leave, 1 and 2 enter. */
	ck_assert_uint_eq(series_count(set), 2);
	ck_assert(series_has(set, 1, TABLE_DIR_IN));
	ck_assert(series_has(set, 2, TABLE_DIR_IN));
	series_delete(set);
}
END_TEST

START_TEST(test_sticky)
{
	struct series *set;
	static const unsigned a[][2] = { { 80, 50 }, { 443, 40 } };
	static const unsigned b[][2] = { { 1, 9 }, { 2, 8 }, { 3, 7 }, { 4, 6 }, { 443, 1 } };

	ck_assert_int_eq(series_new(&set, 2, true), 0);
	update(set, a, 2);
	update(set, b, 5);
	/* 443 stays though it ranks last; absent 80 gives its slot to 1,
	 * so the bound holds. */
	ck_assert(series_has(set, 443, TABLE_DIR_IN));
	ck_assert(series_has(set, 1, TABLE_DIR_IN));
	ck_assert_uint_eq(series_count(set), 2);
	series_delete(set);
}
END_TEST

START_TEST(test_map_sweep)
{
	struct series_map *m;
	struct series *a, *b;

	ck_assert_int_eq(series_map_new(&m, 3, false), 0);
	series_map_begin(m);
	a = series_map_get(m, "host");
	b = series_map_get(m, "blue");
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_eq(series_map_get(m, "host"), a);
	series_map_sweep(m);
	series_map_begin(m);
	ck_assert_ptr_eq(series_map_get(m, "host"), a);
	series_map_sweep(m);	/* "blue" is freed (ASan would see a leak) */
	series_map_begin(m);
	b = series_map_get(m, "blue");
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(series_count(b), 0);
	series_map_delete(m);
}
END_TEST

/* Leak groups: the same port and direction in two states are two
 * members; an absent group stays (to be exported as 0) while a slot is
 * free, and gives way to a newcomer of the top ranks once absent. */
struct group {
	struct series_key key;
	uint64_t count;
};

static void group_at(const void *ctx, size_t r, struct series_key *key, uint64_t *value)
{
	const struct group *g = ctx;

	*key = g[r].key;
	*value = g[r].count;
}

START_TEST(test_keyed_groups)
{
	const struct group one[] = {
		{ { 8081, TABLE_DIR_IN, TCP_STATE_CLOSE_WAIT }, 10 },
		{ { 8081, TABLE_DIR_IN, TCP_STATE_LAST_ACK }, 3 },
	};
	const struct group two[] = {
		{ { 8081, TABLE_DIR_IN, TCP_STATE_LAST_ACK }, 3 },
		{ { 9000, TABLE_DIR_OUT, TCP_STATE_FIN_WAIT2 }, 1 },
	};
	struct series_key cw = { 8081, TABLE_DIR_IN, TCP_STATE_CLOSE_WAIT };
	struct series *set;

	ck_assert_int_eq(series_new(&set, 2, false), 0);
	ck_assert_int_eq(series_update_by(set, 2, group_at, one, true), 0);
	ck_assert_uint_eq(series_count(set), 2);
	ck_assert(series_has_key(set, &cw));
	ck_assert(!series_has(set, 8081, TABLE_DIR_IN));	/* state 0: not a member */
	/* CLOSE_WAIT gone: it stays, absent, while no newcomer of the top
	 * ranks needs its slot... */
	ck_assert_int_eq(series_update_by(set, 1, group_at, two, true), 0);
	ck_assert(series_has_key(set, &cw));
	for (size_t i = 0; i < series_count(set); i++) {
		struct series_key k = series_get_key(set, i);

		ck_assert(series_present(set, i) == (k.state == TCP_STATE_LAST_ACK));
	}
	/* ...and a newcomer of the top ranks takes the absent one's slot. */
	ck_assert_int_eq(series_update_by(set, 2, group_at, two, true), 0);
	ck_assert(!series_has_key(set, &cw));
	ck_assert(series_has_key(set, &two[1].key));
	ck_assert_uint_eq(series_count(set), 2);
	series_delete(set);
}
END_TEST

static Suite *series_suite(void)
{
	Suite *s = suite_create("series");
	TCase *tc = tcase_create("membership");

	tcase_add_test(tc, test_first_sample_is_top);
	tcase_add_test(tc, test_keyed_groups);
	tcase_add_test(tc, test_hysteresis_keeps_members);
	tcase_add_test(tc, test_displaced_by_twice);
	tcase_add_test(tc, test_absent_member_stays_with_zeros);
	tcase_add_test(tc, test_leaves_past_twice_the_bound);
	tcase_add_test(tc, test_sticky);
	tcase_add_test(tc, test_map_sweep);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(series_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
