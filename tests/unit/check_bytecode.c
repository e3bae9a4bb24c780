/* SPDX-License-Identifier: MIT */
/*
 * check_bytecode: the kernel filter programs that split a dump into shares.
 * Every program passes the model of the kernel's audit; for any set of
 * boundaries, every (sport, dport) is accepted by exactly one share, the
 * one holding max(sport, dport).  The live kernel's agreement is checked by
 * tests/integration/it_split.sh.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <linux/inet_diag.h>

#include "bytecode.h"

/* Which share of @bounds (n+1 entries) accepts the socket; -1 if none,
 * -2 if several. */
static int owner(const uint32_t *bounds, unsigned n, uint16_t sport, uint16_t dport)
{
	int found = -1;

	for (unsigned i = 0; i < n; i++) {
		unsigned char bc[BYTECODE_MAX];
		size_t len = bytecode_share(bounds[i], bounds[i + 1], bc);

		if (len == 0 || bytecode_run(bc, len, sport, dport)) {
			if (found != -1)
				return -2;
			found = (int)i;
		}
	}
	return found;
}

static int expected_owner(const uint32_t *bounds, unsigned n, uint16_t sport, uint16_t dport)
{
	uint16_t key = bytecode_key(sport, dport);

	for (unsigned i = 0; i < n; i++)
		if (key >= bounds[i] && key < bounds[i + 1])
			return (int)i;
	return -1;
}

START_TEST(test_everything_needs_no_program)
{
	unsigned char bc[BYTECODE_MAX];

	ck_assert_uint_eq(bytecode_share(0, 65536, bc), 0);
}
END_TEST

START_TEST(test_programs_pass_audit)
{
	static const uint32_t ranges[][2] = {
		{ 0, 1 }, { 0, 46884 }, { 46884, 65536 }, { 1, 2 }, { 100, 200 },
		{ 65535, 65536 }, { 0, 65535 }, { 1, 65536 }, { 32768, 40000 },
	};

	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		unsigned char bc[BYTECODE_MAX];
		size_t len = bytecode_share(ranges[i][0], ranges[i][1], bc);

		ck_assert_uint_gt(len, 0);
		ck_assert_uint_le(len, BYTECODE_MAX);
		ck_assert_msg(bytecode_audit(bc, len) == 0, "range [%u, %u) fails audit",
			      ranges[i][0], ranges[i][1]);
	}
}
END_TEST

START_TEST(test_audit_rejects_bad_programs)
{
	struct inet_diag_bc_op bad_no[2] = {
		/* "no" jumps into the middle of a port op */
		{ INET_DIAG_BC_S_GE, 8, 4 }, { 0, 0, 80 },
	};
	struct inet_diag_bc_op short_op[1] = { { INET_DIAG_BC_S_GE, 8, 12 } };
	struct inet_diag_bc_op off_chain[4] = {
		/* no -> op 2, which the yes chain jumps over */
		{ INET_DIAG_BC_S_GE, 16, 8 }, { 0, 0, 80 },
		{ INET_DIAG_BC_D_GE, 8, 12 }, { 0, 0, 80 },
	};
	struct inet_diag_bc_op unknown[1] = { { 200, 4, 8 } };

	ck_assert_int_eq(bytecode_audit(bad_no, sizeof(bad_no)), -EINVAL);
	ck_assert_int_eq(bytecode_audit(short_op, sizeof(short_op)), -EINVAL);
	ck_assert_int_eq(bytecode_audit(off_chain, sizeof(off_chain)), -EINVAL);
	ck_assert_int_eq(bytecode_audit(unknown, sizeof(unknown)), -EINVAL);
}
END_TEST

START_TEST(test_two_shares_partition_exhaustively_on_edges)
{
	uint32_t bounds[] = { 0, 46884, 65536 };
	static const uint16_t ports[] = { 0, 1, 443, 5432, 32767, 32768, 46883, 46884,
					  46885, 60999, 61000, 65534, 65535 };
	size_t n = sizeof(ports) / sizeof(ports[0]);

	for (size_t a = 0; a < n; a++)
		for (size_t b = 0; b < n; b++)
			ck_assert_int_eq(owner(bounds, 2, ports[a], ports[b]),
					 expected_owner(bounds, 2, ports[a], ports[b]));
}
END_TEST

START_TEST(test_many_shares_partition_randomly)
{
	srand(42);
	for (int round = 0; round < 200; round++) {
		unsigned n = 2 + (unsigned)(rand() % 7);
		uint32_t bounds[10];

		bounds[0] = 0;
		bounds[n] = 65536;
		for (unsigned k = 1; k < n; k++) {
			uint32_t min = bounds[k - 1] + 1, max = 65536 - (n - k);

			bounds[k] = min + (uint32_t)rand() % (max - min + 1);
		}
		for (int i = 0; i < 500; i++) {
			uint16_t s = (uint16_t)rand(), d = (uint16_t)rand();

			if (i % 5 == 0)
				d = (uint16_t)bounds[1 + (unsigned)i % (n - 1)];
			ck_assert_int_eq(owner(bounds, n, s, d), expected_owner(bounds, n, s, d));
		}
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("bytecode");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_everything_needs_no_program);
	tcase_add_test(tc, test_programs_pass_audit);
	tcase_add_test(tc, test_audit_rejects_bad_programs);
	tcase_add_test(tc, test_two_shares_partition_exhaustively_on_edges);
	tcase_add_test(tc, test_many_shares_partition_randomly);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
