/* SPDX-License-Identifier: MIT */
/*
 * check_pace: interval arithmetic, and the wait between samples: it keeps
 * to its deadline through unrelated signals, and a stop signal ends it at
 * once whenever it comes -- already handled, or pending from just before
 * the sleep began (the race a check-then-sleep loop loses).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <check.h>

#include "pace.h"

static volatile sig_atomic_t stop;

/* Every test starts with the flag clear (CK_FORK=no runs them in one
 * process). */
static void stop_reset(void)
{
	stop = 0;
}

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static void on_other(int sig)
{
	(void)sig;
}

static void handle(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(sig, &sa, NULL), 0);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CLOCK_MONOTONIC now + @secs. */
static struct timespec deadline(double secs)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	pace_advance(&t, secs);
	return t;
}

START_TEST(test_advance)
{
	struct timespec t = { .tv_sec = 10, .tv_nsec = 700000000L };

	pace_advance(&t, 0.5);
	ck_assert_int_eq(t.tv_sec, 11);
	ck_assert_int_eq(t.tv_nsec, 200000000L);
	pace_advance(&t, 60);
	ck_assert_int_eq(t.tv_sec, 71);
	ck_assert_int_eq(t.tv_nsec, 200000000L);
	pace_advance(&t, 0.8);
	ck_assert_int_eq(t.tv_sec, 72);
	ck_assert_int_eq(t.tv_nsec, 0);
}
END_TEST

START_TEST(test_stop_signals)
{
	sigset_t s;

	pace_stop_signals(&s);
	ck_assert_int_eq(sigismember(&s, SIGINT), 1);
	ck_assert_int_eq(sigismember(&s, SIGTERM), 1);
	ck_assert_int_eq(sigismember(&s, SIGHUP), 1);
	/* A closed pipe keeps its default: it is not a stop signal. */
	ck_assert_int_eq(sigismember(&s, SIGPIPE), 0);
}
END_TEST

START_TEST(test_deadline_kept)
{
	struct timespec when = deadline(0.2);
	double t0 = now(), dt;

	pace_wait(&when, &stop);
	dt = now() - t0;
	ck_assert_msg(dt >= 0.19 && dt < 2.0, "waited %.3f s for 0.2", dt);
}
END_TEST

START_TEST(test_past_deadline)
{
	struct timespec when = deadline(-1.0);
	double t0 = now();

	pace_wait(&when, &stop);
	ck_assert(now() - t0 < 0.5);
}
END_TEST

/* SIGALRM (not a stop signal) interrupts the sleep every 20 ms: the wait
 * sleeps on to the same deadline. */
START_TEST(test_other_signal_sleeps_on)
{
	struct itimerval it = { .it_interval = { 0, 20000 }, .it_value = { 0, 20000 } };
	struct timespec when;
	double t0, dt;

	handle(SIGALRM, on_other);
	when = deadline(0.3);
	t0 = now();
	ck_assert_int_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
	pace_wait(&when, &stop);
	dt = now() - t0;
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	ck_assert_msg(dt >= 0.29 && dt < 2.0, "waited %.3f s for 0.3", dt);
	ck_assert_int_eq(stop, 0);
}
END_TEST

START_TEST(test_stopped_before)
{
	struct timespec when = deadline(3600);
	double t0 = now();

	stop = 1;
	pace_wait(&when, &stop);
	ck_assert(now() - t0 < 0.5);
}
END_TEST

/* The race: the signal comes after the caller looked at the flag and
 * before the sleep began.  Blocked and raised here, it is pending when
 * pace_wait starts; it must end an hour's wait at once, and the caller's
 * mask (SIGTERM blocked) must be back on return. */
START_TEST(test_signal_just_before_sleep)
{
	struct timespec when = deadline(3600);
	sigset_t term, mask;
	double t0;

	handle(_i, on_stop);
	sigemptyset(&term);
	sigaddset(&term, _i);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &term, NULL), 0);
	raise(_i);
	ck_assert_int_eq(stop, 0);
	t0 = now();
	pace_wait(&when, &stop);
	ck_assert_msg(now() - t0 < 2.0, "signal %d pending before the sleep was missed", _i);
	ck_assert_int_eq(stop, 1);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, NULL, &mask), 0);
	ck_assert_int_eq(sigismember(&mask, _i), 1);
}
END_TEST

/* A stop signal from another process during the sleep (100 ms in). */
START_TEST(test_signal_during_sleep)
{
	struct timespec when = deadline(3600);
	double t0, dt;
	pid_t child;

	handle(SIGTERM, on_stop);
	t0 = now();
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		struct timespec d = { 0, 100000000L };

		nanosleep(&d, NULL);
		kill(getppid(), SIGTERM);
		_exit(0);
	}
	pace_wait(&when, &stop);
	dt = now() - t0;
	waitpid(child, NULL, 0);
	ck_assert_msg(dt < 2.0, "waited %.3f s after SIGTERM", dt);
	ck_assert_int_eq(stop, 1);
}
END_TEST

static Suite *pace_suite(void)
{
	Suite *s = suite_create("pace");
	TCase *tc = tcase_create("advance");
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };

	tcase_add_test(tc, test_advance);
	tcase_add_test(tc, test_stop_signals);
	suite_add_tcase(s, tc);

	tc = tcase_create("wait");
	tcase_add_checked_fixture(tc, stop_reset, NULL);
	tcase_add_test(tc, test_deadline_kept);
	tcase_add_test(tc, test_past_deadline);
	tcase_add_test(tc, test_other_signal_sleeps_on);
	tcase_add_test(tc, test_stopped_before);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		tcase_add_loop_test(tc, test_signal_just_before_sleep, sigs[i], sigs[i] + 1);
	tcase_add_test(tc, test_signal_during_sleep);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pace_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
