/* SPDX-License-Identifier: MIT */
/*
 * check_sampler: the retry policy around one sample.  A live collector
 * (the test's own namespace; sock_diag needs no privilege) stands behind a
 * scripted "once" function, so interrupted and lossy dumps can be produced
 * on demand: retries are bounded, a success after retries is complete, and
 * giving up leaves an incomplete sample with a note, never an error that
 * hides the partial table.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "sampler.h"

struct script {
	int results[8];		/* what each attempt returns */
	int calls;
};

static int scripted_once(void *arg, struct sampler_info *info)
{
	struct script *s = arg;

	info->time.tv_sec = 1234;
	return s->results[s->calls++];
}

static struct collector *live(void)
{
	struct collector *c = NULL;
	char err[256];

	ck_assert_msg(collector_open_live(&c, NULL, err, sizeof(err)) == 0, "%s", err);
	return c;
}

START_TEST(test_success_first_time)
{
	struct collector *c = live();
	struct script s = { .results = { 0 } };
	struct sampler_info info;

	ck_assert_int_eq(sampler_retry(c, &info, scripted_once, &s), 0);
	ck_assert(info.complete);
	ck_assert_uint_eq(info.attempts, 1);
	ck_assert_int_eq(info.time.tv_sec, 1234);
	collector_close(c);
}
END_TEST

START_TEST(test_interrupted_then_complete)
{
	struct collector *c = live();
	struct script s = { .results = { -EINTR, -ENOBUFS, 0 } };
	struct sampler_info info;

	ck_assert_int_eq(sampler_retry(c, &info, scripted_once, &s), 0);
	ck_assert(info.complete);
	ck_assert_uint_eq(info.attempts, 3);
	ck_assert_int_eq(s.calls, 3);
	collector_close(c);
}
END_TEST

START_TEST(test_retries_are_bounded)
{
	struct collector *c = live();
	struct script s = { .results = { -EINTR, -EINTR, -EINTR, -EINTR, -EINTR } };
	struct sampler_info info;

	ck_assert_int_eq(sampler_retry(c, &info, scripted_once, &s), 0);
	ck_assert(!info.complete);
	ck_assert_int_eq(s.calls, SAMPLER_ATTEMPTS);
	ck_assert_ptr_nonnull(strstr(info.note, "after 3 attempts"));
	collector_close(c);
}
END_TEST

START_TEST(test_other_errors_are_not_retried)
{
	struct collector *c = live();
	struct script s = { .results = { -ENOENT, 0 } };
	struct sampler_info info;

	ck_assert_int_eq(sampler_retry(c, &info, scripted_once, &s), -ENOENT);
	ck_assert_int_eq(s.calls, 1);
	collector_close(c);
}
END_TEST

START_TEST(test_replay_is_not_retried)
{
	struct collector *c = NULL;
	struct script s = { .results = { -EINTR, 0 } };
	struct sampler_info info;
	char err[256];

	ck_assert_int_eq(collector_open_replay(&c, FIXTURES_DIR "/sample.rec", err, sizeof(err)), 0);
	ck_assert_int_eq(sampler_retry(c, &info, scripted_once, &s), 0);
	ck_assert(!info.complete);
	ck_assert_int_eq(s.calls, 1);
	collector_close(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sampler");
	TCase *tc = tcase_create("retry");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_success_first_time);
	tcase_add_test(tc, test_interrupted_then_complete);
	tcase_add_test(tc, test_retries_are_bounded);
	tcase_add_test(tc, test_other_errors_are_not_retried);
	tcase_add_test(tc, test_replay_is_not_retried);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
